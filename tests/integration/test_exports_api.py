"""Data protection over HTTP, in-process on moto through the dev gateway: ``POST /v1/exports`` (queued,
written by the export function from its queue, one at a time per org, downloaded from the private bucket) and
``POST /v1/customers/erase`` (a shopper's personal data removed from the org's orders only)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from devserver.pollers import EventSources
from fashionos.identity.partner_models import KNOWN_SCOPES
from tests.helpers import Reply, problem
from tests.integration.conftest import ISSUER, InProcessApi
from tests.integration.partner_calls import call, ok

EXPORTS = "/v1/exports"
EXPORT_ID = re.compile(r"exp_[0-9A-HJKMNP-TV-Z]{26}")
UNKNOWN = "exp_01JZZZZZZZZZZZZZZZZZZZZZZZ"


def run_exports(stack: InProcessApi) -> None:
    EventSources(stack.local, stack.session, stack.gateway.handler, retry_backoff=0).run_until_idle()


def zip_of(stack: InProcessApi, export: dict[str, Any]) -> zipfile.ZipFile:
    """The zip ``download_url`` names, read from the bucket (in-process moto serves no URLs)."""
    url = urlparse(export["download_url"])
    query = parse_qs(url.query)
    bucket = stack.local.physical["AssetBucket"]
    key = url.path.lstrip("/").removeprefix(f"{bucket}/")  # path-style or virtual-hosted
    assert key == f"exports/{stack.demo['org_id']}/{export['id']}.zip"
    got = stack.session.client("s3").get_object(Bucket=bucket, Key=key, VersionId=query["versionId"][0])
    assert 'attachment; filename="fashionos-export-' in query["response-content-disposition"][0]
    data = got["Body"].read()
    assert hashlib.sha256(data).hexdigest() == export["sha256"]
    assert len(data) == export["size"]
    return zipfile.ZipFile(io.BytesIO(data))


def limited_key(stack: InProcessApi) -> str:
    _, key = stack.partners().create_sandbox_key(stack.demo["org_id"], KNOWN_SCOPES - {"org:admin"})
    return key


def test_an_export_is_queued_written_and_downloaded(stack: InProcessApi) -> None:
    # when
    reply = call(stack, "POST", EXPORTS)
    started = ok(reply, 202)
    # then: pending, where to poll
    assert EXPORT_ID.fullmatch(started["id"])
    assert reply.header("Location") == f"{ISSUER}{EXPORTS}/{started['id']}"  # absolute: the stage kept
    assert (started["object"], started["status"], started["download_url"]) == ("export", "pending", None)
    assert ok(call(stack, "GET", f"{EXPORTS}/{started['id']}"))["status"] == "pending"
    # when the export function runs
    run_exports(stack)
    done = ok(call(stack, "GET", f"{EXPORTS}/{started['id']}"))
    # then: a download of the zip, holding the org's profile
    assert done["status"] == "succeeded", done
    assert done["download_url"]
    assert done["download_expires_at"]
    assert done["completed_at"]
    with zip_of(stack, done) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "profile.json"} <= names
        assert stack.demo["org_id"] in archive.read("profile.json").decode()
        assert json.loads(archive.read("manifest.json"))["org_id"] == stack.demo["org_id"]
    assert done["contents"]
    assert all(isinstance(n, int) for n in done["contents"].values())


def test_one_export_of_an_org_runs_at_a_time(stack: InProcessApi, other_key: str) -> None:
    first = ok(call(stack, "POST", EXPORTS), 202)
    refused = problem(call(stack, "POST", EXPORTS), 409)
    assert refused["code"] == "export_in_progress"
    assert f"GET /v1/exports/{first['id']}" in refused["detail"]  # the one to wait for
    ok(call(stack, "POST", EXPORTS, key=other_key), 202)  # another org's is its own
    run_exports(stack)
    assert ok(call(stack, "GET", f"{EXPORTS}/{first['id']}"))["status"] == "succeeded"
    ok(call(stack, "POST", EXPORTS), 202)  # the first finished: another may start


def test_another_orgs_export_answers_exactly_like_an_unknown_one(stack: InProcessApi, other_key: str) -> None:
    mine = ok(call(stack, "POST", EXPORTS), 202)
    theirs = call(stack, "GET", f"{EXPORTS}/{mine['id']}", key=other_key)
    unknown = call(stack, "GET", f"{EXPORTS}/{UNKNOWN}", key=other_key)
    malformed = call(stack, "GET", f"{EXPORTS}/not-an-id", key=other_key)
    for reply in (theirs, unknown, malformed):
        body = problem(reply, 404)
        assert body["detail"] == "No such export"


def test_exports_need_the_org_admin_scope(stack: InProcessApi) -> None:
    key = limited_key(stack)
    for method, path in (("POST", EXPORTS), ("GET", f"{EXPORTS}/{UNKNOWN}"), ("POST", "/v1/customers/erase")):
        body = problem(
            call(stack, method, path, {"email": "a@example.com"} if "erase" in path else None, key=key), 403
        )
        assert body["code"] == "insufficient_scope", (method, path)


def test_an_export_takes_no_body(stack: InProcessApi) -> None:
    problem(call(stack, "POST", EXPORTS, {"areas": ["orders"]}), 400)
    assert ok(call(stack, "POST", EXPORTS, {}), 202)["status"] == "pending"


# --- customer erasure -------------------------------------------------------------------------------


def shop(stack: InProcessApi, key: str, handle: str) -> str:
    sf = ok(
        call(
            stack,
            "POST",
            "/v1/storefronts",
            {"handle": handle, "name": "Shop", "currency": "EUR", "visibility": "public"},
            key=key,
        ),
        201,
    )["id"]
    listing = {
        "sku": "TEE-1",
        "title": "Tee",
        "price": {"amount": 2500, "currency": "EUR"},
        "status": "active",
    }
    ok(call(stack, "POST", f"/v1/storefronts/{sf}/products", listing, key=key), 201)
    ok(call(stack, "PUT", f"/v1/inventory/{sf}/TEE-1", {"on_hand": 50}, key=key))
    return str(sf)


def order(stack: InProcessApi, key: str, sf: str, email: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"storefront_id": sf, "lines": [{"sku": "TEE-1", "quantity": 1}]}
    if email:
        body["customer"] = {"email": email, "country": "DE"}
    return ok(call(stack, "POST", "/v1/orders", body, key=key), 201)  # type: ignore[no-any-return]


def test_erasing_a_shopper_removes_their_data_from_this_orgs_orders_only(
    stack: InProcessApi, other_key: str
) -> None:
    # given: two orders of the shopper (one with the email in other case), one of someone else, and the
    # shopper's order in another org
    key = stack.demo["sandbox_api_key"]
    sf, theirs_sf = shop(stack, key, "@erase_me"), shop(stack, other_key, "@erase_other")
    mine = [order(stack, key, sf, "Ada@Example.com"), order(stack, key, sf, "ada@example.com")]
    someone = order(stack, key, sf, "bob@example.com")
    elsewhere = order(stack, other_key, theirs_sf, "ada@example.com")
    # when
    erased = ok(call(stack, "POST", "/v1/customers/erase", {"email": "ADA@example.com"}))
    # then
    assert (erased["object"], erased["orders_erased"]) == ("customer_erasure", 2)
    for kept in mine:
        now = ok(call(stack, "GET", f"/v1/orders/{kept['id']}"))
        assert now["customer"] is None
        assert (now["total"], now["lines"], now["status"]) == (kept["total"], kept["lines"], kept["status"])
    assert ok(call(stack, "GET", f"/v1/orders/{someone['id']}"))["customer"]["email"] == "bob@example.com"
    other = ok(call(stack, "GET", f"/v1/orders/{elsewhere['id']}", key=other_key))
    assert other["customer"]["email"] == "ada@example.com"
    holding = [i for i in every_item(stack) if "ada@example.com" in json.dumps(i).lower()]
    assert holding, "the other org's order keeps its customer"
    assert not [i for i in holding if stack.demo["org_id"] in json.dumps(i)], holding
    # erasing again changes nothing more
    assert ok(call(stack, "POST", "/v1/customers/erase", {"email": "ada@example.com"}))["orders_erased"] == 0


def every_item(stack: InProcessApi) -> list[dict[str, Any]]:
    """Every item of every table of the stack, but the rate limiter's windows."""
    dynamodb = stack.session.client("dynamodb")
    items = []
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            items += [i for i in page["Items"] if not i.get("pk", {}).get("S", "").startswith("RATE#")]
    return items


@pytest.mark.parametrize(
    "body",
    [None, {}, {"email": ""}, {"email": "not-an-email"}, {"email": 7}, {"email": "a@b.c", "name": "x"}],
)
def test_a_bad_erasure_is_a_400_and_changes_nothing(stack: InProcessApi, body: Any) -> None:
    before = every_item(stack)
    problem(call(stack, "POST", "/v1/customers/erase", body), 400)
    assert every_item(stack) == before


def test_a_retried_erasure_with_its_idempotency_key_replays_the_first_answer(stack: InProcessApi) -> None:
    key = stack.demo["sandbox_api_key"]
    sf = shop(stack, key, "@erase_retry")
    order(stack, key, sf, "ada@example.com")

    def erase(email: str) -> Reply:
        headers = {"X-Api-Key": key, "Idempotency-Key": "erase-1"}
        return stack.call("/v1/customers/erase", {"email": email}, headers=headers)

    first = erase("ada@example.com")
    again = erase("ada@example.com")
    assert (first.status, first.json["orders_erased"], first.header("Idempotent-Replayed")) == (200, 1, None)
    assert (again.status, again.json, again.header("Idempotent-Replayed")) == (200, first.json, "true")
    assert problem(erase("bob@example.com"), 422)["code"] == "idempotency_key_reused"
