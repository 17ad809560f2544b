"""Try-on sessions over HTTP, in-process on moto through the dev gateway (sandbox stage): starting one
(metered on the org's Dashboard counters, with the Integration API's warnings), its session token and the
try-on front end's routes, ending and revoking, listing, and every refusal (nothing written)."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest

from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.tryon.service import MAX_WRITE_ATTEMPTS
from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore
from tests.helpers import Reply, problem
from tests.integration.conftest import InProcessApi
from tests.integration.partner_calls import call, ok, token_with_basic

SESSIONS = "/v1/tryon/sessions"
SESSION = "/tryon/v1/session"
COMPLETE = "/tryon/v1/session/complete"
SESSION_ID = re.compile(r"tos_[0-9A-HJKMNP-TV-Z]{26}")
UNKNOWN_PRODUCT = "prd_01JZZZZZZZZZZZZZZZZZZZZZZZ"
DOMAIN = "yourbrand.example"  # the demo org's registered domain


def front_end(stack: InProcessApi, method: str, path: str, token: str, body: Any = None) -> Reply:
    return stack.call(path, body, method=method, headers={"Authorization": f"Bearer {token}"})


def usage(stack: InProcessApi) -> UsageService:
    return UsageService(UsageStore(stack.session.client("dynamodb"), stack.table))


def ai_tryons(stack: InProcessApi) -> int:
    return usage(stack).usage_report(stack.demo["user_id"]).period_totals["ai_tryons"]


@pytest.fixture
def product(stack: InProcessApi) -> dict[str, Any]:
    """An active listing with two variants in a storefront of the demo org."""
    sf = ok(
        call(
            stack,
            "POST",
            "/v1/storefronts",
            {"handle": "@maison", "name": "Maison", "currency": "EUR", "visibility": "public"},
        ),
        201,
    )
    listing = {
        "sku": "DRESS",
        "title": "Silk dress",
        "price": {"amount": 12000, "currency": "EUR"},
        "status": "active",
        "images": ["https://cdn.yourbrand.example/dress.jpg"],
        "variants": [{"sku": "DRESS-S", "size": "S"}, {"sku": "DRESS-M", "size": "M"}],
    }
    reply = call(stack, "POST", f"/v1/storefronts/{sf['id']}/products", listing)
    return ok(reply, 201)  # type: ignore[no-any-return]


def start(stack: InProcessApi, product: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"product_id": product["id"], "type": "AI", **fields}
    return ok(call(stack, "POST", SESSIONS, body), 201)  # type: ignore[no-any-return]


def test_a_session_is_metered_tokened_and_announced(stack: InProcessApi, product: dict[str, Any]) -> None:
    before = ai_tryons(stack)
    session = start(
        stack, product, variant_sku="DRESS-M", return_url=f"https://{DOMAIN}/dress?x=1", locale="fr-FR"
    )
    assert SESSION_ID.fullmatch(session["id"])
    assert session["status"] == "active"
    assert (session["type"], session["product_id"], session["variant_sku"]) == (
        "AI",
        product["id"],
        "DRESS-M",
    )
    assert session["return_url"] == f"https://{DOMAIN}/dress?x=1"
    assert "warnings" not in session
    assert ai_tryons(stack) == before + 1

    token = session["session_token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["typ"] == "tryon+jwt"
    assert header["alg"] == "RS256"
    assert claims["aud"] == "tryon"
    assert claims["sub"] == session["id"]
    assert claims["org_id"] == stack.demo["org_id"]
    assert claims["product_id"] == product["id"]
    assert claims["exp"] - claims["iat"] == 15 * 60
    launch = urlsplit(session["launch_url"])
    assert launch.query == ""
    assert launch.fragment == f"session_token={token}"

    events = ok(call(stack, "GET", "/v1/events?type=tryon.session.created"))["data"]
    assert [e["data"] for e in events] == [
        {k: v for k, v in session.items() if k not in ("session_token", "launch_url")}
    ]
    assert ok(call(stack, "GET", f"{SESSIONS}/{session['id']}")) == events[0]["data"]


def test_a_retry_with_the_same_key_creates_one_session_and_counts_once(
    stack: InProcessApi, product: dict[str, Any]
) -> None:
    before = ai_tryons(stack)
    body = {"product_id": product["id"], "type": "AI"}
    first = call(stack, "POST", SESSIONS, body, **{"Idempotency-Key": "tryon-1"})
    again = call(stack, "POST", SESSIONS, body, **{"Idempotency-Key": "tryon-1"})
    assert (first.status, again.status) == (201, 201)
    assert again.json == first.json
    assert again.header("Idempotent-Replayed") == "true"
    assert ai_tryons(stack) == before + 1
    assert len(ok(call(stack, "GET", SESSIONS))["data"]) == 1


def test_sessions_past_the_plans_limit_warn_as_the_integration_api_does(
    stack: InProcessApi, product: dict[str, Any]
) -> None:
    used = ai_tryons(stack)
    usage(stack).set_plan(stack.demo["plan"], PlanLimits(ai_tryons=used + 2))
    warnings = [start(stack, product).get("warnings") for _ in range(4)]
    exceeded = ["Usage limit exceeded for this period"]
    assert warnings == [None, None, exceeded, exceeded]
    assert ai_tryons(stack) == used + 4


def test_a_start_that_keeps_losing_the_race_for_the_counter_is_told_to_retry_in_time(
    stack: InProcessApi, product: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: before each attempt commits, another session moves the org's counter; the function has 3 s
    attempts: list[int] = []

    def moved(*_: Any, **__: Any) -> None:
        attempts.append(1)
        raise ChangeRejected(1)

    monkeypatch.setattr(Outbox, "commit", moved)
    monkeypatch.setitem(stack.gateway._timeouts, "CreateTryOnSessionFunction", 3)
    before = ai_tryons(stack)
    # when
    reply = call(
        stack, "POST", SESSIONS, {"product_id": product["id"], "type": "AI"}, **{"Idempotency-Key": "k"}
    )
    # then: 409 `contended` with Retry-After, from retries that stopped with the time to answer left
    assert problem(reply, 409)["code"] == "contended"
    assert reply.header("Retry-After") == "1"
    assert 1 < len(attempts) < MAX_WRITE_ATTEMPTS
    monkeypatch.undo()
    assert ai_tryons(stack) == before
    assert ok(call(stack, "GET", SESSIONS))["data"] == []


def test_an_org_not_approved_for_the_type_is_refused(stack: InProcessApi, product: dict[str, Any]) -> None:
    stack.partners().set_tryon_types(stack.demo["org_id"], ["AR"])
    before = ai_tryons(stack)
    body = problem(call(stack, "POST", SESSIONS, {"product_id": product["id"], "type": "AI"}), 403)
    assert body["code"] == "tryon_not_enabled"
    assert ai_tryons(stack) == before
    assert start(stack, product, type="AR")["type"] == "AR"


@pytest.mark.parametrize(
    ("fields", "status", "named"),
    [
        ({"product_id": "nope"}, 400, "product_id"),
        ({"type": "VR"}, 400, "type"),
        ({"variant_sku": "no spaces"}, 400, "variant_sku"),
        ({"return_url": "http://yourbrand.example/"}, 400, "return_url"),
        ({"return_url": "https://yourbrand.example@evil.example/"}, 400, "return_url"),
        ({"return_url": "https://evil.example/"}, 422, "return_url"),
        ({"return_url": "https://yourbrand.example.evil.example/"}, 422, "return_url"),
        ({"locale": "not a locale"}, 400, "locale"),
        ({"duration_ms": 1}, 400, "duration_ms"),
        ({"variant_sku": "DRESS-XL"}, 422, "variant_sku"),
        ({"product_id": UNKNOWN_PRODUCT}, 404, "not found"),
    ],
)
def test_a_bad_request_is_refused_and_writes_nothing(
    stack: InProcessApi, product: dict[str, Any], fields: dict[str, Any], status: int, named: str
) -> None:
    before = ai_tryons(stack)
    body = problem(
        call(stack, "POST", SESSIONS, {"product_id": product["id"], "type": "AI", **fields}), status
    )
    assert named in body["detail"]
    assert ai_tryons(stack) == before
    assert ok(call(stack, "GET", SESSIONS))["data"] == []


def test_only_an_active_listing_of_the_org_can_be_tried_on(
    stack: InProcessApi, product: dict[str, Any], other_key: str
) -> None:
    partners = stack.partners()
    partners.set_tryon_types(partners.get_org_by_handle("@other").org_id, ["AI"])
    body = {"product_id": product["id"], "type": "AI"}
    assert problem(call(stack, "POST", SESSIONS, body, key=other_key), 404)["detail"] == problem(
        call(stack, "POST", SESSIONS, {**body, "product_id": UNKNOWN_PRODUCT}, key=other_key), 404
    )["detail"].replace(UNKNOWN_PRODUCT, product["id"])
    path = f"/v1/storefronts/{product['storefront_id']}/products/{product['id']}"
    ok(call(stack, "DELETE", path))  # archived
    assert problem(call(stack, "POST", SESSIONS, body), 409)["code"] == "product_not_active"


def test_the_front_end_loads_and_ends_a_session_once(stack: InProcessApi, product: dict[str, Any]) -> None:
    session = start(stack, product, variant_sku="DRESS-S", return_url=f"https://www.{DOMAIN}/back")
    token = session["session_token"]
    loaded = ok(front_end(stack, "GET", SESSION, token))
    assert loaded["session"] == {
        "id": session["id"],
        "type": "AI",
        "status": "active",
        "return_url": f"https://www.{DOMAIN}/back",
        "locale": None,
        "expires_at": session["expires_at"],
    }
    assert loaded["product"]["title"] == "Silk dress"
    assert loaded["product"]["images"] == ["https://cdn.yourbrand.example/dress.jpg"]
    assert loaded["variant"]["sku"] == "DRESS-S"
    assert loaded["variant"]["size"] == "S"

    ended = ok(front_end(stack, "POST", COMPLETE, token, {"outcome": "completed", "duration_ms": 41000}))
    assert (ended["status"], ended["duration_ms"]) == ("completed", 41000)
    assert ended["ended_at"]
    assert problem(front_end(stack, "POST", COMPLETE, token, {"outcome": "abandoned"}), 409)["code"] == (
        "session_not_active"
    )
    assert ok(front_end(stack, "GET", SESSION, token))["session"]["status"] == "completed"
    assert ok(call(stack, "GET", f"{SESSIONS}/{session['id']}"))["status"] == "completed"
    problem(call(stack, "POST", f"{SESSIONS}/{session['id']}/revoke"), 409)


def test_a_revoked_session_token_is_refused_at_once(stack: InProcessApi, product: dict[str, Any]) -> None:
    session = start(stack, product)
    revoked = ok(call(stack, "POST", f"{SESSIONS}/{session['id']}/revoke"))
    assert revoked["status"] == "revoked"
    for method, path, body in (("GET", SESSION, None), ("POST", COMPLETE, {"outcome": "completed"})):
        reply = front_end(stack, method, path, session["session_token"], body)
        problem(reply, 401)
        assert reply.header("WWW-Authenticate")
    assert problem(call(stack, "POST", f"{SESSIONS}/{session['id']}/revoke"), 409)["code"] == (
        "session_not_active"
    )


def test_an_expired_session_token_is_refused(
    stack: InProcessApi, product: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    session = start(stack, product)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 15 * 60 + 1)
    problem(front_end(stack, "GET", SESSION, session["session_token"]), 401)
    assert ok(call(stack, "GET", f"{SESSIONS}/{session['id']}"))["status"] == "expired"
    assert [s["id"] for s in ok(call(stack, "GET", f"{SESSIONS}?status=expired"))["data"]] == [session["id"]]
    assert ok(call(stack, "GET", f"{SESSIONS}?status=active"))["data"] == []


def test_tokens_are_not_interchangeable(stack: InProcessApi, product: dict[str, Any]) -> None:
    """A session token opens no /v1 route; an access token opens no try-on route."""
    session = start(stack, product)
    for path in ("/v1/me", SESSIONS, f"{SESSIONS}/{session['id']}"):
        reply = stack.call(
            path, method="GET", headers={"Authorization": f"Bearer {session['session_token']}"}
        )
        assert reply.status == 401, path
    access = token_with_basic(stack).json["access_token"]
    assert stack.call("/v1/me", method="GET", headers={"Authorization": f"Bearer {access}"}).status == 200
    problem(front_end(stack, "GET", SESSION, access), 401)
    problem(front_end(stack, "POST", COMPLETE, access, {"outcome": "completed"}), 401)
    problem(stack.call(SESSION, method="GET"), 401)
    problem(front_end(stack, "GET", SESSION, session["session_token"][:-4] + "AAAA"), 401)


def test_the_front_end_end_refuses_bad_fields(stack: InProcessApi, product: dict[str, Any]) -> None:
    token = start(stack, product)["session_token"]
    for body, named in (
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "completed", "duration_ms": -1}, "duration_ms"),
        ({"outcome": "completed", "extra": 1}, "extra"),
    ):
        assert named in problem(front_end(stack, "POST", COMPLETE, token, body), 400)["detail"]
    assert ok(front_end(stack, "GET", SESSION, token))["session"]["status"] == "active"


def test_sessions_are_listed_newest_first_with_filters_and_pages(
    stack: InProcessApi, product: dict[str, Any]
) -> None:
    first, second, third = (start(stack, product) for _ in range(3))
    ok(call(stack, "POST", f"{SESSIONS}/{second['id']}/revoke"))
    page = ok(call(stack, "GET", f"{SESSIONS}?limit=2"))
    assert [s["id"] for s in page["data"]] == [third["id"], second["id"]]
    assert page["has_more"]
    rest = ok(call(stack, "GET", f"{SESSIONS}?limit=2&cursor={page['next_cursor']}"))
    assert [s["id"] for s in rest["data"]] == [first["id"]]
    assert not rest["has_more"]
    revoked = ok(call(stack, "GET", f"{SESSIONS}?status=revoked"))["data"]
    assert [s["id"] for s in revoked] == [second["id"]]
    by_product = ok(call(stack, "GET", f"{SESSIONS}?product_id={product['id']}&status=active"))["data"]
    assert [s["id"] for s in by_product] == [third["id"], first["id"]]
    assert ok(call(stack, "GET", f"{SESSIONS}?product_id={UNKNOWN_PRODUCT}"))["data"] == []
    assert ok(call(stack, "GET", f"{SESSIONS}?until=2020-01-01T00:00:00Z"))["data"] == []
    assert len(ok(call(stack, "GET", f"{SESSIONS}?since=2020-01-01T00:00:00Z"))["data"]) == 3
    problem(call(stack, "GET", f"{SESSIONS}?status=lost"), 400)
    problem(call(stack, "GET", f"{SESSIONS}?since=yesterday"), 400)
    problem(call(stack, "GET", f"{SESSIONS}?cursor=tos_x"), 400)


def test_another_orgs_session_is_not_found(
    stack: InProcessApi, product: dict[str, Any], other_key: str
) -> None:
    session = start(stack, product)
    unknown = "tos_01JZZZZZZZZZZZZZZZZZZZZZZZ"
    for sid in (session["id"], unknown):
        problem(call(stack, "GET", f"{SESSIONS}/{sid}", key=other_key), 404)
        problem(call(stack, "POST", f"{SESSIONS}/{sid}/revoke", key=other_key), 404)
    assert ok(call(stack, "GET", SESSIONS, key=other_key))["data"] == []
    assert ok(call(stack, "GET", f"{SESSIONS}/{session['id']}"))["status"] == "active"


def test_each_route_needs_the_tryon_scope(stack: InProcessApi, product: dict[str, Any]) -> None:
    _, key = stack.partners().create_sandbox_key(stack.demo["org_id"], {"profile:read"})
    session = start(stack, product)
    for method, path in (
        ("POST", SESSIONS),
        ("GET", SESSIONS),
        ("GET", f"{SESSIONS}/{session['id']}"),
        ("POST", f"{SESSIONS}/{session['id']}/revoke"),
    ):
        body = problem(call(stack, method, path, {"product_id": product["id"], "type": "AI"}, key=key), 403)
        assert "tryon:write" in body["detail"]
