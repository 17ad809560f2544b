"""A partner org with data in every area, made the way partners make it: through the Partner API (the dev
gateway, in-process on moto), its operator's provisioning, and the event sources that deliver webhooks and
confirm uploads. Shared by the data-protection tests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import zlib
from dataclasses import dataclass, field
from struct import pack
from typing import Any

from devserver.pollers import EventSources
from fashionos.admin.provisioning import provision_org
from fashionos.assets.bucket import VaultBucket
from fashionos.exports.service import ExportService
from fashionos.exports.store import ExportStore
from fashionos.identity.partner_models import KNOWN_SCOPES, TRYON_TYPES
from fashionos.privacy.export import write_export
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore
from tests.helpers import basic
from tests.integration.conftest import InProcessApi
from tests.receiver import Receiver

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
RIGHTS = {
    "owner": "@atelier_nord",
    "license": "all-rights-reserved",
    "usage": ["display", "ecommerce", "tryon"],
    "territories": ["FR", "DE", "IT"],
}


@dataclass
class Org:
    """What an org holds, as the API answered it: its ids, its secrets, its shoppers' emails."""

    name: str
    org_id: str
    handle: str
    key: str  # a sandbox key with every scope
    key_id: str
    client_id: str
    client_secret: str
    domain: str
    shopper: str  # the email of the shopper with two orders
    other_shopper: str
    file: bytes  # the bytes of its asset's file
    ids: dict[str, str] = field(default_factory=dict)  # what each id is: storefront, product, order_1...
    secrets: list[str] = field(default_factory=list)  # never to appear in an export

    def identifiers(self) -> set[str]:
        """Every string that names the org or something of it (or one of its shoppers)."""
        return {self.org_id, self.handle, self.client_id, self.key_id, *self.ids.values()} | {
            self.shopper,
            self.other_shopper,
        }


def png(width: int) -> bytes:
    """A PNG of ``width`` red pixels (the confirm function checks what a file is)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    header = pack(">IIBBBBB", width, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * width)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def call(stack: InProcessApi, org: Org, method: str, path: str, body: Any = None, **headers: str) -> Any:
    reply = stack.call(path, body, method=method, headers={"X-Api-Key": org.key, **headers})
    assert reply.status < 300, (method, path, reply.text)
    return reply.json if reply.text else None


def new_org(stack: InProcessApi, name: str, shopper: str | None = None) -> Org:
    """An org as its operator provisions it: its Dashboard user, try-on approval, a domain, an OAuth
    client with every scope and a sandbox key."""
    dynamodb = stack.session.client("dynamodb")
    partners = stack.partners()
    org = provision_org(partners, UsageService(UsageStore(dynamodb, stack.table)), f"@{name}")
    partners.set_tryon_types(org.org_id, TRYON_TYPES)
    domain = f"{name}.example"
    partners.add_domain(org.org_id, domain)
    client, secret = partners.create_client(org.org_id, KNOWN_SCOPES)
    sandbox, key = partners.create_sandbox_key(org.org_id, KNOWN_SCOPES)
    return Org(
        name=name,
        org_id=org.org_id,
        handle=org.handle,
        key=key,
        key_id=sandbox.key_id,
        client_id=client.client_id,
        client_secret=secret,
        domain=domain,
        shopper=shopper or f"Shopper.{name}@Example.com",
        other_shopper=f"other.{name}@example.com",
        file=png(len(name)),
        secrets=[secret, key],
    )


def fill(stack: InProcessApi, org: Org, receiver: Receiver) -> None:
    """Data in every area of the org (its asset shared with others: ``share``)."""
    _credentials(stack, org)
    webhook = call(stack, org, "POST", "/v1/webhooks", {"url": receiver.url, "events": _all_events()})
    org.ids["webhook"] = webhook["id"]
    org.secrets.append(webhook["secret"])
    gone = call(stack, org, "POST", "/v1/webhooks", {"url": receiver.url, "events": ["order.created"]})
    org.ids["deleted_webhook"] = gone["id"]  # its delivery log outlives it (30 days)
    _commerce(stack, org)
    _affiliates_and_orders(stack, org)
    session = call(
        stack,
        org,
        "POST",
        "/v1/tryon/sessions",
        {"product_id": org.ids["product"], "type": "AR", "return_url": f"https://{org.domain}/back"},
    )
    org.ids["session"] = session["id"]
    _asset(stack, org)
    deliver(stack)
    call(stack, org, "DELETE", f"/v1/webhooks/{gone['id']}")


def share(stack: InProcessApi, owner: Org, partner: Org, *, publish: bool) -> None:
    """The owner grants the partner its asset (and its collection) and, with ``publish``, publishes it
    (``design.published`` to the partner too); the partner downloads it."""
    asset, collection = owner.ids["asset"], owner.ids["collection"]
    body = {"partner": partner.org_id, "usage": ["display", "tryon"], "territories": ["FR", "DE"]}
    owner.ids[f"grant_to_{partner.name}"] = call(stack, owner, "POST", f"/v1/assets/{asset}/grants", body)[
        "id"
    ]
    grant = call(stack, owner, "POST", f"/v1/collections/{collection}/grants", body)
    owner.ids[f"collection_grant_to_{partner.name}"] = grant["id"]
    if publish:
        call(stack, owner, "POST", f"/v1/assets/{asset}/publish")
    call(stack, partner, "POST", f"/v1/assets/{asset}/download", {"usage": "tryon", "territory": "DE"})
    deliver(stack)


def export(stack: InProcessApi, org: Org) -> None:
    """An export of the org, as the export function writes it (its record, and its zip in the bucket)."""
    session = stack.session
    bucket = VaultBucket(lambda: session.client("s3"), stack.local.physical["AssetBucket"])
    service = ExportService(
        ExportStore(session.client("dynamodb"), stack.local.physical["PartnerTable"]), bucket, lambda _: None
    )
    started = service.start(org.org_id, org.client_id)
    finished = service.run(org.org_id, started.export_id, write_export)
    assert finished is not None
    assert finished.status == "succeeded", finished
    org.ids["export"] = started.export_id


def deliver(stack: InProcessApi) -> None:
    """Run the event sources (webhook deliveries, upload confirmations) until nothing is left to do."""
    sqs = stack.session.client("sqs")
    queue = stack.local.physical["WebhookDeliveryQueue"]
    sources = EventSources(stack.local, stack.session, stack.gateway.handler, retry_backoff=0)
    while True:
        sources.run_until_idle()
        time.sleep(0.01)
        visible = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
        if visible["Attributes"]["ApproximateNumberOfMessages"] == "0":
            return


def _credentials(stack: InProcessApi, org: Org) -> None:
    """A token for the client (and a failed try first: the failures are counted), used once."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wrong = stack.call("/oauth/token", headers={**form, **basic(org.client_id, "wrong")}, raw=_grant())
    assert wrong.status == 401, wrong.text
    reply = stack.call(
        "/oauth/token", headers={**form, **basic(org.client_id, org.client_secret)}, raw=_grant()
    )
    assert reply.status == 200, reply.text
    token = reply.json["access_token"]
    org.secrets.append(token)
    me = stack.call("/v1/me", method="GET", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200, me.text


def _grant() -> bytes:
    return b"grant_type=client_credentials"


def _all_events() -> list[str]:
    from fashionos.events.models import EVENT_TYPES

    return list(EVENT_TYPES)


def _commerce(stack: InProcessApi, org: Org) -> None:
    body = {
        "handle": f"@{org.name}_shop",
        "name": f"{org.name} shop",
        "currency": "EUR",
        "visibility": "public",
    }
    storefront = call(stack, org, "POST", "/v1/storefronts", body, **{"Idempotency-Key": f"{org.name}-sf"})
    sf = org.ids["storefront"] = storefront["id"]
    org.ids["storefront_handle"] = storefront["handle"]
    prefix = org.name.upper()
    listing = {
        "sku": f"{prefix}-RUN",
        "title": "Runner",
        "price": {"amount": 12900, "currency": "EUR"},
        "status": "active",
        "variants": [{"sku": f"{prefix}-RUN-42", "size": "42"}, {"sku": f"{prefix}-RUN-43", "size": "43"}],
    }
    org.ids["product"] = call(stack, org, "POST", f"/v1/storefronts/{sf}/products", listing)["id"]
    dropped = {**listing, "sku": f"{prefix}-OLD", "variants": [{"sku": f"{prefix}-OLD-1"}]}
    old = call(stack, org, "POST", f"/v1/storefronts/{sf}/products", dropped)
    org.ids["old_product"] = old["id"]
    for sku in (f"{prefix}-RUN-42", f"{prefix}-RUN-43", f"{prefix}-OLD-1"):
        call(stack, org, "PUT", f"/v1/inventory/{sf}/{sku}", {"on_hand": 10})
    adjustment = {"delta": -1, "reason": "damaged in the shop"}
    call(stack, org, "POST", f"/v1/inventory/{sf}/{prefix}-RUN-42/adjustments", adjustment)
    # a variant dropped from its listing: its stock history stays, under a sku no listing has
    call(
        stack,
        org,
        "POST",
        f"/v1/storefronts/{sf}/products",
        {**dropped, "variants": [{"sku": f"{prefix}-OLD-2"}]},
    )


def _affiliates_and_orders(stack: InProcessApi, org: Org) -> None:
    sf, prefix = org.ids["storefront"], org.name.upper()
    link = call(
        stack,
        org,
        "POST",
        "/v1/affiliates/links",
        {"destination_url": f"https://{org.domain}/runner", "product_id": org.ids["product"]},
    )
    org.ids["link"], org.ids["link_code"] = link["id"], link["code"]
    clicks = []
    for ip in ("198.51.100.23", "198.51.100.24"):
        followed = stack.call(
            f"/r/{link['code']}", method="GET", headers={"User-Agent": BROWSER}, source_ip=ip
        )
        assert followed.status == 302, followed.text
        (click,) = re.findall(r"[?&]fos_click=([^&#]+)", followed.header("Location") or "")
        clicks.append(click)
    org.ids["click_1"], org.ids["click_2"] = clicks
    line = [{"sku": f"{prefix}-RUN-43", "quantity": 2}]
    for n, (email, click) in enumerate(
        [(org.shopper, clicks[0]), (org.shopper.lower(), None), (org.other_shopper, None)], start=1
    ):
        body: dict[str, Any] = {
            "storefront_id": sf,
            "lines": line,
            "customer": {"email": email, "country": "DE"},
        }
        if click:
            body["affiliate_click_id"] = click
        order = call(stack, org, "POST", "/v1/orders", body, **{"Idempotency-Key": f"{org.name}-order-{n}"})
        org.ids[f"order_{n}"] = order["id"]
    call(
        stack,
        org,
        "POST",
        f"/v1/orders/{org.ids['order_1']}/fulfill",
        **{"Idempotency-Key": f"{org.name}-f1"},
    )


def _asset(stack: InProcessApi, org: Org) -> None:
    declaration = {
        "filename": f"{org.name}-look.png",
        "content_type": "image/png",
        "size": len(org.file),
        "sha256": hashlib.sha256(org.file).hexdigest(),
        "title": f"{org.name} look",
        "rights": RIGHTS,
    }
    created = call(stack, org, "POST", "/v1/assets", declaration)
    fields = created["upload"]["fields"]
    stack.session.client("s3").put_object(
        Bucket=stack.local.physical["AssetBucket"],
        Key=fields["key"],
        Body=org.file,
        ContentType="image/png",
        ChecksumSHA256=base64.b64encode(hashlib.sha256(org.file).digest()).decode(),
        Tagging="fashionos-upload=pending",
        Metadata={"asset-id": created["id"]},
    )
    deliver(stack)  # the confirm function accepts the upload
    asset = org.ids["asset"] = created["id"]
    collection = call(stack, org, "POST", "/v1/collections", {"name": f"{org.name} autumn"})
    org.ids["collection"] = collection["id"]
    rights = {**RIGHTS, "credit": f"photo {org.name}"}
    call(stack, org, "PATCH", f"/v1/assets/{asset}", {"collection_id": collection["id"], "rights": rights})
    call(stack, org, "POST", f"/v1/assets/{asset}/download", {"usage": "display", "territory": "FR"})
    status = call(stack, org, "GET", f"/v1/assets/{asset}")["status"]
    assert status == "available", status


def scan(stack: InProcessApi) -> dict[str, list[dict[str, Any]]]:
    """Every item of every table of the stack (its template's), by table."""
    dynamodb = stack.session.client("dynamodb")
    tables = [stack.local.physical[name] for name in stack.local.of_type("AWS::DynamoDB::Table")]
    found = {}
    for table in tables:
        items = [
            item
            for page in dynamodb.get_paginator("scan").paginate(TableName=table)
            for item in page["Items"]
        ]
        found[table] = sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))
    return found


def objects(stack: InProcessApi) -> list[dict[str, Any]]:
    """Every object version and delete marker in the bucket."""
    s3 = stack.session.client("s3")
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=stack.local.physical["AssetBucket"])
    return [v for page in pages for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]


def mentions(item: Any, identifiers: set[str]) -> set[str]:
    """Which of ``identifiers`` an item holds anywhere (keys, attributes, JSON inside them), in any case."""
    text = json.dumps(item, default=str).casefold()
    return {identifier for identifier in identifiers if identifier.casefold() in text}
