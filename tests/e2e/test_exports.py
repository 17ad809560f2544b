"""Data protection over real HTTP against the local stack: an org with data in every area asks for an export
(``POST /v1/exports``); the export function, fed by its SQS queue, writes the zip to the private bucket (the
moto server); the partner downloads it from ``download_url`` and finds each area's data and the asset file;
``POST /v1/customers/erase`` then removes a shopper from the org's orders."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, admin_command, http
from tests.e2e.test_assets import declare, post_form, settled
from tests.e2e.test_commerce import Partner, listing, order_body, partner_of, wait_for
from tests.integration.test_assets_api import FILE
from tests.receiver import Receiver

pytestmark = E2E

EMAIL = "shopper.e2e-export@example.com"


def filled(stack: DevStack, tmp_path: Path, hook_url: str) -> tuple[Partner, dict[str, str]]:
    """An org with a webhook (to ``hook_url``), a storefront, a product in stock, an order with a customer
    and an uploaded asset: each area's id."""
    partner = partner_of(stack)
    sf = partner.storefront()
    product = partner.ok("POST", f"/v1/storefronts/{sf}/products", listing("EXP"), 201)
    partner.stock(sf, "EXP", on_hand=5)
    webhook = partner.ok("POST", "/v1/webhooks", {"url": hook_url, "events": ["order.created"]}, 201)
    body = {**order_body(sf, "EXP", 1), "customer": {"email": EMAIL, "country": "DE"}}
    order = partner.ok("POST", "/v1/orders", body, 201)
    created = declare(partner, FILE)
    assert post_form(created, FILE, tmp_path) in (200, 201, 204)
    asset = settled(partner, created["id"])
    assert asset["status"] == "available"
    ids = {
        "storefront": sf,
        "product": product["id"],
        "order": order["id"],
        "webhook": webhook["id"],
        "asset": asset["id"],
        "webhook_secret": webhook["secret"],
    }
    return partner, ids


def exported(partner: Partner) -> dict[str, Any]:
    started = partner.call("POST", "/v1/exports")
    assert started.status == 202, started.text
    export_id = started.json["id"]
    state: dict[str, Any] = {}

    def done() -> bool:
        state.update(partner.ok("GET", f"/v1/exports/{export_id}"))
        return state["status"] in ("succeeded", "failed")

    wait_for(done, lambda: state)
    return state


def test_an_export_of_a_full_org_downloads_a_zip_of_each_areas_data(stack: DevStack, tmp_path: Path) -> None:
    # given
    with Receiver() as receiver:
        partner, ids = filled(stack, tmp_path, receiver.url)
        wait_for(lambda: bool(receiver.received), lambda: "no order.created delivered")
        # when
        export = exported(partner)
    assert export["status"] == "succeeded", export
    with http() as session:
        got = session.get(export["download_url"], timeout=REQUEST_TIMEOUT)
    # then: the zip the record describes, as an attachment
    assert got.status_code == 200, got.text
    assert got.headers["Content-Disposition"].startswith('attachment; filename="fashionos-export-')
    assert hashlib.sha256(got.content).hexdigest() == export["sha256"]
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    files = {name: archive.read(name) for name in archive.namelist()}
    text = {name: data.decode() for name, data in files.items() if name.endswith(".json")}
    assert json.loads(text["manifest.json"])["org_id"] == partner.org_id
    assert partner.org_id in text["profile.json"]
    for area, key in (
        ("storefronts.json", "storefront"),
        ("products.json", "product"),
        ("orders.json", "order"),
        ("webhooks.json", "webhook"),
        ("webhook_deliveries.json", "webhook"),
        ("assets.json", "asset"),
    ):
        assert ids[key] in text[area], area
    assert EMAIL in text["orders.json"]
    assert FILE in files.values()  # the asset's file itself
    assert not any(ids["webhook_secret"].encode() in data for data in files.values())
    # another org cannot read it
    stranger = partner_of(stack)
    assert stranger.call("GET", f"/v1/exports/{export['id']}").status == 404


def test_erasing_a_shopper_leaves_the_order_without_them(stack: DevStack) -> None:
    partner = partner_of(stack)
    sf = partner.storefront()
    partner.ok("POST", f"/v1/storefronts/{sf}/products", listing("ERA"), 201)
    partner.stock(sf, "ERA", on_hand=5)
    body = {**order_body(sf, "ERA", 1), "customer": {"email": EMAIL.upper(), "country": "DE"}}
    order = partner.ok("POST", "/v1/orders", body, 201)
    erased = partner.ok("POST", "/v1/customers/erase", {"email": EMAIL})
    assert erased["orders_erased"] == 1
    now = partner.ok("GET", f"/v1/orders/{order['id']}")
    assert now["customer"] is None
    assert (now["total"], now["status"]) == (order["total"], order["status"])


def test_the_admin_cli_exports_an_org_and_checks_what_it_erases(stack: DevStack, tmp_path: Path) -> None:
    partner = partner_of(stack)
    output = tmp_path / "org.zip"
    exported = stack.admin("export-org", partner.org_id, "--output", str(output))
    assert exported["files"]["profile.json"] == 1
    assert partner.org_id in zipfile.ZipFile(output).read("profile.json").decode()
    assert stack.admin("erase-customer", partner.org_id, EMAIL)["orders_erased"] == 0
    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [*admin_command(), "--local-state", str(stack.state_dir), "erase-customer", partner.org_id, "no-at"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "not an email address" in done.stderr
