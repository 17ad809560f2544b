"""``fashionos-admin create-storefront`` against a stack found through its ``stack.json`` (on moto), and the
demo storefront that ``seed`` gives the demo org when it is given the commerce and event tables (as
``make dev`` does, and prints curl commands for; the ``stack`` fixture seeds without them)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from devserver.demo import DEMO_ACTOR, seed, seed_commerce
from devserver.template import LocalTemplate, create_resources, load_template
from fashionos.admin.cli import main
from fashionos.commerce.inventory import InventoryService
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from tests.integration.conftest import InProcessApi, described
from tests.integration.partner_calls import call, ok

STOREFRONT_ID = re.compile(r"sf_[0-9A-HJKMNP-TV-Z]{26}")


def storefront_args(org_id: str, **changes: str) -> list[str]:
    options = {"handle": "@atelier", "name": "Atelier", "currency": "EUR", **changes}
    return ["create-storefront", "--org", org_id, *(f"--{k}={v}" for k, v in options.items())]


def storefront_ids(stack: InProcessApi) -> list[str]:
    return [sf["id"] for sf in ok(call(stack, "GET", "/v1/storefronts"))["data"]]


# --- create-storefront ------------------------------------------------------------------------------


def test_create_storefront_prints_the_storefront_the_api_then_serves(stack: InProcessApi, admin: Any) -> None:
    # when
    code, created = admin(*storefront_args(stack.demo["org_id"], description="Paris, since 1921"))
    # then
    assert code == 0
    assert STOREFRONT_ID.fullmatch(created["id"])
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "updated_at")} == {
        "handle": "@atelier",
        "name": "Atelier",
        "description": "Paris, since 1921",
        "currency": "EUR",
        "visibility": "public",  # the default
        "status": "active",
        "products_count": 0,
    }
    assert ok(call(stack, "GET", f"/v1/storefronts/{created['id']}")) == created
    assert created["id"] in storefront_ids(stack)


def test_create_storefront_takes_a_visibility_and_no_description(stack: InProcessApi, admin: Any) -> None:
    code, created = admin(*storefront_args(stack.demo["org_id"], visibility="unlisted", currency="JPY"))
    assert code == 0
    assert (created["visibility"], created["currency"], created["description"]) == ("unlisted", "JPY", None)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"handle": "atelier"}, "--handle: String should match pattern"),
        ({"handle": "@ab"}, "--handle: "),
        ({"handle": "@bad-dash"}, "--handle: "),
        ({"currency": "EURO"}, "--currency: must be an ISO 4217 currency code (e.g. EUR)"),
        ({"currency": "eur"}, "--currency: must be an ISO 4217 currency code"),
        ({"name": ""}, "--name: String should have at least 1 character"),
        ({"description": "x" * 5001}, "--description: String should have at most 5000 characters"),
    ],
)
def test_a_bad_storefront_is_exit_code_2_naming_the_option_and_writes_nothing(
    stack: InProcessApi, admin: Any, changes: dict[str, str], error: str
) -> None:
    before = storefront_ids(stack)
    code, message = admin(*storefront_args(stack.demo["org_id"], **changes))
    assert code == 2
    assert message.startswith(f"error: {error}")
    assert storefront_ids(stack) == before


def test_an_unknown_visibility_or_a_missing_option_is_a_usage_error(
    stack: InProcessApi, admin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        admin(*storefront_args(stack.demo["org_id"], visibility="hidden"))
    assert exited.value.code == 2
    assert "--visibility: invalid choice: 'hidden'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        admin("create-storefront", "--org", stack.demo["org_id"], "--handle", "@atelier", "--name", "A")
    assert exited.value.code == 2
    assert "--currency" in capsys.readouterr().err


def test_an_unknown_org_is_exit_code_1_and_gets_no_storefront(stack: InProcessApi, admin: Any) -> None:
    code, message = admin(*storefront_args("org_01JZZZZZZZZZZZZZZZZZZZZZZZ"))
    assert code == 1
    assert "Org org_01JZZZZZZZZZZZZZZZZZZZZZZZ not found" in message
    # the handle is still free: nothing was written
    assert admin(*storefront_args(stack.demo["org_id"]))[0] == 0


def test_a_taken_handle_is_exit_code_1_whatever_its_case(stack: InProcessApi, admin: Any) -> None:
    assert admin(*storefront_args(stack.demo["org_id"]))[0] == 0
    other = stack.partners().create_org("@other")
    code, message = admin(*storefront_args(other.org_id, handle="@Atelier"))
    assert code == 1
    assert "The handle @Atelier is taken" in message


def test_a_stack_without_the_commerce_table_is_a_clear_error(
    stack: InProcessApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = described(stack)
    del old["outputs"]["CommerceTableName"]
    (tmp_path / "stack.json").write_text(json.dumps(old))
    assert main(["--local-state", str(tmp_path), *storefront_args(stack.demo["org_id"])]) == 1
    assert "has no output CommerceTableName" in capsys.readouterr().err


# --- the demo storefront ----------------------------------------------------------------------------


@pytest.fixture
def demo(stack: InProcessApi) -> dict[str, Any]:
    """The demo credentials with the demo org's storefront, seeded as ``make dev`` seeds it."""
    dynamodb = stack.session.client("dynamodb")
    physical = stack.local.physical
    shop = seed_commerce(dynamodb, physical["CommerceTable"], physical["EventTable"], stack.demo["org_id"])
    return {**stack.demo, **shop}


def test_seed_with_the_commerce_tables_returns_the_demo_storefront(moto: None) -> None:
    # given: a stack's tables, not yet seeded
    session = boto3.Session(region_name="us-east-1")
    local = LocalTemplate(load_template(), "seeded", {"Stage": "sandbox"})
    create_resources(local, session)
    dynamodb, tables = session.client("dynamodb"), local.physical
    base = (tables["IntegrationTable"], tables["HandshakeSecret"], tables["PartnerTable"])
    # when
    demo = seed(
        dynamodb,
        session.client("secretsmanager"),
        *base,
        commerce_table=tables["CommerceTable"],
        event_table=tables["EventTable"],
    )
    # then
    storefronts = StorefrontService(CommerceStore(dynamodb, tables["CommerceTable"]))
    storefront = storefronts.get(demo["org_id"], demo["storefront_id"])
    assert (storefront.handle, storefront.currency, storefront.products_count) == (
        "@yourbrand_shop",
        "EUR",
        2,
    )
    stock = InventoryService(CommerceStore(dynamodb, tables["CommerceTable"]), storefronts)
    (item,), _ = stock.page(demo["org_id"], demo["storefront_id"], demo["sku"], 1, None)
    assert (item.product_id, item.available > 0) == (demo["product_id"], True)


def test_seed_needs_both_commerce_tables_or_neither_and_then_writes_nothing(moto: None) -> None:
    session = boto3.Session(region_name="us-east-1")
    clients = (session.client("dynamodb"), session.client("secretsmanager"))
    with pytest.raises(ValueError, match="both commerce_table and event_table"):
        seed(*clients, "no-table", "no-secret", "no-table", commerce_table="no-table")  # no table is read


def test_the_demo_org_has_a_public_storefront_with_two_active_listings(
    stack: InProcessApi, demo: dict[str, Any]
) -> None:
    storefront = ok(call(stack, "GET", f"/v1/storefronts/{demo['storefront_id']}"))
    assert (storefront["currency"], storefront["visibility"], storefront["status"]) == (
        "EUR",
        "public",
        "active",
    )
    assert storefront["products_count"] == 2
    listings = ok(call(stack, "GET", f"/v1/storefronts/{demo['storefront_id']}/products"))["data"]
    assert {p["status"] for p in listings} == {"active"}
    assert sorted(len(p["variants"]) for p in listings) == [0, 2]
    (plain,) = [p for p in listings if not p["variants"]]
    assert (plain["id"], plain["sku"]) == (demo["product_id"], demo["sku"])


def test_every_sellable_demo_sku_is_in_stock_set_by_the_admin(
    stack: InProcessApi, demo: dict[str, Any]
) -> None:
    sf = demo["storefront_id"]
    items = ok(call(stack, "GET", f"/v1/inventory?storefrontId={sf}"))["data"]
    listings = ok(call(stack, "GET", f"/v1/storefronts/{sf}/products"))["data"]
    sellable = {v["sku"] for p in listings for v in p["variants"]} | {
        p["sku"] for p in listings if not p["variants"]
    }
    assert {i["sku"] for i in items} == sellable
    assert len(sellable) == 3
    assert all(i["available"] == i["on_hand"] > 0 for i in items)
    changes = ok(call(stack, "GET", f"/v1/inventory/{sf}/{demo['sku']}/adjustments"))["data"]
    assert [(c["type"], c["actor"]) for c in changes] == [("set", DEMO_ACTOR)]


def test_the_demo_sku_can_be_ordered(stack: InProcessApi, demo: dict[str, Any]) -> None:
    sf, sku = demo["storefront_id"], demo["sku"]
    order = {"storefront_id": sf, "lines": [{"sku": sku, "quantity": 2}]}
    placed = ok(call(stack, "POST", "/v1/orders", order), 201)
    assert [(line["product_id"], line["quantity"]) for line in placed["lines"]] == [(demo["product_id"], 2)]
