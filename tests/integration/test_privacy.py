"""Data protection, in-process on moto: an org's export (every area, its files, never a secret, nothing of
another org's), its erasure (nothing of it left in any table or in the bucket but its anonymised accounting
records; every other org's data as it was), a shopper's erasure, and the admin CLI's commands."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fashionos.admin.cli import main
from fashionos.errors import OrgNotFound
from fashionos.ids import sha256_hex
from fashionos.privacy.erase import erase_customer, erase_org
from fashionos.privacy.export import write_export
from tests.helpers import basic
from tests.integration.conftest import ISSUER, InProcessApi, StackFactory, described
from tests.integration.org_data import Org, call, export, fill, mentions, new_org, objects, scan, share
from tests.receiver import Receiver

AREAS = {
    "profile.json",
    "domains.json",
    "clients.json",
    "sandbox_keys.json",
    "storefronts.json",
    "products.json",
    "inventory.json",
    "inventory_adjustments.json",
    "orders.json",
    "tryon_sessions.json",
    "affiliate_links.json",
    "affiliate_clicks.json",
    "affiliate_conversions.json",
    "assets.json",
    "collections.json",
    "asset_grants.json",
    "asset_rights_history.json",
    "asset_downloads.json",
    "webhooks.json",
    "webhook_deliveries.json",
    "events.json",
}


@dataclass
class World:
    stack: InProcessApi
    a: Org
    b: Org


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def world(make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> World:
    """Orgs A and B, each with data in every area; each shares its asset with the other (A publishes its
    own: B receives ``design.published``); each has an export."""
    stack = make_stack()
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")  # what the local stack sets
    a, b = new_org(stack, "alpha"), new_org(stack, "beta")
    for org in (a, b):
        fill(stack, org, receiver)
    share(stack, a, b, publish=True)
    share(stack, b, a, publish=False)
    for org in (a, b):
        export(stack, org)
    # a version hidden by a delete marker under A's prefix
    s3, bucket = stack.session.client("s3"), stack.local.physical["AssetBucket"]
    draft = f"orgs/{a.org_id}/assets/{a.ids['asset']}/draft"
    s3.put_object(Bucket=bucket, Key=draft, Body=b"draft")
    s3.delete_object(Bucket=bucket, Key=draft)
    return World(stack, a, b)


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def exported(org: Org) -> dict[str, bytes]:
    out = io.BytesIO()
    write_export(org.org_id, out)
    return entries(out.getvalue())


# --- export ------------------------------------------------------------------------------------------
def test_an_export_holds_every_area_of_the_org_with_its_files(world: World) -> None:
    a = world.a
    files = exported(a)
    manifest = json.loads(files["manifest.json"])
    assert (manifest["org_id"], manifest["format_version"]) == (a.org_id, 1)
    assert AREAS | {"manifest.json", f"assets/{a.ids['asset']}/alpha-look.png"} == set(files)
    records = {name: json.loads(files[name]) for name in AREAS}
    counts = {name: 1 if name == "profile.json" else len(found) for name, found in records.items()}
    assert manifest["files"] == {**counts, "assets/": 1}
    # every area holds the org's data, as the API shows it
    assert (records["profile.json"]["id"], records["profile.json"]["handle"]) == (a.org_id, "@alpha")
    assert [d["domain"] for d in records["domains.json"]] == ["alpha.example"]
    assert [c["id"] for c in records["clients.json"]] == [a.client_id]
    assert [k["id"] for k in records["sandbox_keys.json"]] == [a.key_id]
    assert [s["id"] for s in records["storefronts.json"]] == [a.ids["storefront"]]
    assert {p["id"] for p in records["products.json"]} == {a.ids["product"], a.ids["old_product"]}
    assert {i["sku"] for i in records["inventory.json"]} == {"ALPHA-RUN-42", "ALPHA-RUN-43", "ALPHA-OLD-2"}
    assert "damaged in the shop" in {adj["reason"] for adj in records["inventory_adjustments.json"]}
    orders = {o["id"]: o for o in records["orders.json"]}
    assert set(orders) == {a.ids["order_1"], a.ids["order_2"], a.ids["order_3"]}
    assert orders[a.ids["order_1"]]["customer"] == {"email": a.shopper, "country": "DE"}
    assert orders[a.ids["order_1"]]["total"] == {"amount": 25800, "currency": "EUR"}
    assert [s["id"] for s in records["tryon_sessions.json"]] == [a.ids["session"]]
    (link,) = records["affiliate_links.json"]
    assert (link["id"], link["short_url"]) == (a.ids["link"], f"{ISSUER}/r/{a.ids['link_code']}")
    assert link["stats"]["clicks"] == 2
    assert {c["id"] for c in records["affiliate_clicks.json"]} == {a.ids["click_1"], a.ids["click_2"]}
    assert [c["order_id"] for c in records["affiliate_conversions.json"]] == [a.ids["order_1"]]
    assert [x["id"] for x in records["assets.json"]] == [a.ids["asset"]]
    assert [c["id"] for c in records["collections.json"]] == [a.ids["collection"]]
    assert {g["id"] for g in records["asset_grants.json"]} == {
        a.ids["grant_to_beta"],
        a.ids["collection_grant_to_beta"],
    }
    assert len(records["asset_rights_history.json"]) == 2  # its creation, then the PATCH
    downloads = [(d["asset_id"], d["org_id"]) for d in records["asset_downloads.json"]]
    assert sorted(downloads) == sorted([(a.ids["asset"], a.org_id), (a.ids["asset"], world.b.org_id)])
    assert [w["id"] for w in records["webhooks.json"]] == [a.ids["webhook"]]
    assert {d["webhook_id"] for d in records["webhook_deliveries.json"]} == {a.ids["webhook"]}
    assert {"order.created", "order.fulfilled", "design.published"} <= {
        e["type"] for e in records["events.json"]
    }
    # and the asset's file, byte for byte
    assert files[f"assets/{a.ids['asset']}/alpha-look.png"] == a.file


def test_an_export_holds_no_secret_and_nothing_of_another_org(world: World) -> None:
    a, b = world.a, world.b
    files = exported(a)
    text = b"\n".join(files.values()).decode("utf-8", errors="replace")
    # no secret, nor a hash of one (clients' and sandbox keys' are SHA-256)
    for secret in a.secrets:
        assert secret not in text
        assert sha256_hex(secret) not in text
    assert "secret" not in json.dumps([json.loads(files[n]) for n in ("clients.json", "webhooks.json")])
    # B's objects are not there: B appears only as the partner of A's grants and a downloader of A's asset
    b_objects = {value for name, value in b.ids.items() if name != "storefront_handle"} | {b.shopper}
    assert mentions(text, b_objects | set(b.secrets)) == set()
    assert b.org_id not in files["orders.json"].decode()


def test_an_export_of_an_unknown_org_is_refused(stack: InProcessApi) -> None:
    with pytest.raises(OrgNotFound):
        write_export("org_01JZZZZZZZZZZZZZZZZZZZZZZZ", io.BytesIO())


# --- erasure of an org -----------------------------------------------------------------------------------
def test_erasing_an_org_leaves_nothing_of_it_and_changes_no_other_orgs_data(world: World) -> None:
    stack, a, b = world.stack, world.a, world.b
    token = _token(stack, a)
    assert _me(stack, f"Bearer {token}") == 200
    before, files_before = scan(stack), objects(stack)
    # when
    counts = erase_org(a.org_id)
    # then: no table holds anything that names A...
    after = scan(stack)
    identifiers = a.identifiers()
    left = [
        (table, i["pk"]["S"], i["sk"]["S"])
        for table, items in after.items()
        for i in items
        if mentions(i, identifiers)
    ]
    assert left == []
    # ...but its orders, anonymised, for accounting: amounts, currency, status
    erased = {t: [i for i in items if i["pk"]["S"].startswith("ERASED#")] for t, items in after.items()}
    kept_orders = [item for items in erased.values() for item in items]
    assert len(kept_orders) == counts["orders_anonymised"] == 3
    (tombstone,) = {item["pk"]["S"].removeprefix("ERASED#") for item in kept_orders}
    assert sorted((int(i["total"]["N"]), i["currency"]["S"], i["status"]["S"]) for i in kept_orders) == [
        (25800, "EUR", "created"),
        (25800, "EUR", "created"),
        (25800, "EUR", "fulfilled"),
    ]
    # nor any object version or delete marker in the bucket, and every other object is as it was
    assert [v for v in files_before if a.org_id not in v["Key"]] == objects(stack)
    assert {v["Key"].split("/")[0] for v in files_before if a.org_id in v["Key"]} == {"orgs", "exports"}
    assert any(a.org_id in v["Key"] and "IsLatest" in v and "Size" not in v for v in files_before)  # a marker
    # every item that did not name A is as it was, byte for byte; the one changed is A's download of B's
    # asset, in B's audit, anonymised
    kept = {t: [i for i in items if not mentions(i, identifiers)] for t, items in before.items()}
    now = {t: [i for i in items if i not in erased[t]] for t, items in after.items()}
    assert {t: [i for i in items if i not in now[t]] for t, items in kept.items()} == {t: [] for t in kept}
    (changed,) = [i for t, items in now.items() for i in items if i not in kept[t]]
    assert (changed["pk"]["S"], changed["sk"]["S"][:3]) == (f"AST#{b.ids['asset']}", "DL#")
    assert (changed["org_id"]["S"], changed["actor"]["S"]) == (tombstone, tombstone)
    assert counts["downloads_anonymised"] == 1
    # what of B's named A is gone: the grants B gave A, the design.published A sent B
    named_a = [i for items in before.values() for i in items if mentions(i, identifiers)]
    assert any(
        i.get("partner_org_id") == {"S": a.org_id} and i["pk"]["S"] == f"ORG#{b.org_id}" for i in named_a
    )
    assert any(
        i["pk"]["S"] == f"ORG#{b.org_id}" and i.get("type") == {"S": "design.published"} for i in named_a
    )
    # A's credentials are refused: the token it had, a new one, its sandbox key
    assert _me(stack, f"Bearer {token}") == 401
    assert _token_status(stack, a) == 401
    assert stack.call("/v1/me", method="GET", headers={"X-Api-Key": a.key}).status == 401
    # and B works as before
    assert call(stack, b, "GET", f"/v1/orders/{b.ids['order_1']}")["customer"]["email"] == b.shopper
    assert call(stack, b, "GET", f"/v1/assets/{b.ids['asset']}")["status"] == "available"


def test_erasing_an_org_again_changes_nothing(world: World) -> None:
    first = erase_org(world.a.org_id)
    assert first["org"] == 1
    assert all(first[name] > 0 for name in ("credentials", "commerce", "affiliates", "assets", "partner"))
    state = scan(world.stack), objects(world.stack)
    again = erase_org(world.a.org_id)
    assert set(again.values()) == {0}
    assert (scan(world.stack), objects(world.stack)) == state


# --- erasure of a shopper --------------------------------------------------------------------------------
@pytest.fixture
def shared_shopper(make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> World:
    """A and B each with orders of the same shopper (B's in another case)."""
    stack = make_stack()
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    a = new_org(stack, "alpha", shopper="Shared.Shopper@Example.com")
    b = new_org(stack, "beta", shopper="shared.shopper@example.com")
    for org in (a, b):
        fill(stack, org, receiver)
    return World(stack, a, b)


def test_erasing_a_shopper_removes_them_from_the_orgs_orders_events_and_replays(
    shared_shopper: World,
) -> None:
    stack, a, b = shared_shopper.stack, shared_shopper.a, shared_shopper.b
    before = {n: call(stack, a, "GET", f"/v1/orders/{a.ids[n]}") for n in ("order_1", "order_2", "order_3")}
    # when
    assert erase_customer(a.org_id, "  SHARED.shopper@EXAMPLE.com ") == 2
    # then: the shopper's orders keep everything but the customer
    for name in ("order_1", "order_2"):
        order = call(stack, a, "GET", f"/v1/orders/{a.ids[name]}")
        assert order["customer"] is None
        assert order["customer_erased_at"]
        assert {k: v for k, v in order.items() if not k.startswith("customer")} == {
            k: v for k, v in before[name].items() if not k.startswith("customer")
        }
    assert call(stack, a, "GET", f"/v1/orders/{a.ids['order_3']}") == before["order_3"]  # another shopper
    # B's orders of the same shopper are B's to erase
    assert call(stack, b, "GET", f"/v1/orders/{b.ids['order_1']}")["customer"]["email"] == b.shopper
    # the events (what a replay sends) and the stored responses of the Idempotency-Keys
    events = call(stack, a, "GET", "/v1/events?type=order.created,order.fulfilled&limit=100")["data"]
    mine = [e for e in events if e["data"]["id"] in (a.ids["order_1"], a.ids["order_2"])]
    assert len(mine) == 3
    assert all(e["data"]["customer"] is None for e in mine)
    assert [e["data"]["customer"]["email"] for e in events if e["data"]["id"] == a.ids["order_3"]] == [
        a.other_shopper
    ]
    fulfil = stack.call(
        f"/v1/orders/{a.ids['order_1']}/fulfill",
        headers={"X-Api-Key": a.key, "Idempotency-Key": "alpha-f1"},
    )
    assert (fulfil.status, fulfil.header("Idempotent-Replayed")) == (200, "true")
    assert fulfil.json["customer"] is None
    # nothing of A's (its orders, events, stored responses) holds the shopper any more; B's still do
    of_a = {a.org_id, *a.ids.values()}
    items = [item for found in scan(stack).values() for item in found]
    assert [i for i in items if mentions(i, of_a) and mentions(i, {a.shopper})] == []
    assert [i for i in items if mentions(i, {b.ids["order_1"]}) and mentions(i, {b.shopper})]
    # and again: nothing more
    assert erase_customer(a.org_id, a.shopper) == 0


# --- the admin CLI ---------------------------------------------------------------------------------------
@pytest.fixture
def cli(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, Any]]:
    stack = world.stack
    outputs = {
        "TryOnTableName": stack.local.physical["TryOnTable"],
        "AffiliateTableName": stack.local.physical["AffiliateTable"],
        "AssetTableName": stack.local.physical["AssetTable"],
        "AssetBucketName": stack.local.physical["AssetBucket"],
        "PartnerApiUrl": ISSUER,
    }
    (tmp_path / "stack.json").write_text(json.dumps(described(stack, **outputs)))

    def run(*args: str) -> tuple[int, Any]:
        code = main(["--local-state", str(tmp_path), *args])
        out, err = capsys.readouterr()
        return code, json.loads(out) if code == 0 else err

    return run


def test_the_cli_exports_erases_an_org_only_with_yes_and_erases_a_shopper(
    world: World, cli: Any, tmp_path: Path
) -> None:
    a, b = world.a, world.b
    # export-org: the zip, written locally
    out = tmp_path / "alpha.zip"
    code, printed = cli("export-org", a.org_id, "--output", str(out))
    assert code == 0, printed
    files = entries(out.read_bytes())
    assert json.loads(files["manifest.json"])["files"] == printed["files"]
    assert printed["files"]["orders.json"] == 3
    assert files[f"assets/{a.ids['asset']}/alpha-look.png"] == a.file
    code, error = cli("export-org", "org_01JZZZZZZZZZZZZZZZZZZZZZZZ", "--output", str(tmp_path / "none.zip"))
    assert (code, "not found" in error, (tmp_path / "none.zip").exists()) == (1, True, False)
    # erase-org: refused without --yes (nothing erased), then done
    code, error = cli("erase-org", a.org_id)
    assert (code, "--yes" in error) == (2, True)
    assert world.stack.partners().get_org(a.org_id).org_id == a.org_id
    code, printed = cli("erase-org", a.org_id, "--yes")
    assert code == 0, printed
    assert (printed["org_id"], printed["erased"]["org"], printed["erased"]["orders_anonymised"]) == (
        a.org_id,
        1,
        3,
    )
    assert cli("erase-org", a.org_id, "--yes")[1]["erased"]["org"] == 0
    # erase-customer
    assert cli("erase-customer", b.org_id, b.shopper.upper()) == (0, {"org_id": b.org_id, "orders_erased": 2})


# --- helpers ---------------------------------------------------------------------------------------------
def _token_status(stack: InProcessApi, org: Org) -> int:
    form = {"Content-Type": "application/x-www-form-urlencoded", **basic(org.client_id, org.client_secret)}
    return stack.call("/oauth/token", headers=form, raw=b"grant_type=client_credentials").status


def _token(stack: InProcessApi, org: Org) -> str:
    form = {"Content-Type": "application/x-www-form-urlencoded", **basic(org.client_id, org.client_secret)}
    reply = stack.call("/oauth/token", headers=form, raw=b"grant_type=client_credentials")
    assert reply.status == 200, reply.text
    return str(reply.json["access_token"])


def _me(stack: InProcessApi, authorization: str) -> int:
    return stack.call("/v1/me", method="GET", headers={"Authorization": authorization}).status
