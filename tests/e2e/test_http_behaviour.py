"""What an HTTP client sees of the Integration API: methods, unknown paths, CORS, size limit, refusals,
request ids, and a handshake rotation, over real HTTP against the local stack."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, User, http
from tests.helpers import API_KEY_USAGE, ENDPOINTS, PRODUCTS, TRYON

pytestmark = E2E

ALLOWED_ORIGINS = ["https://wearfits.com", "https://app.wearfits.com", "https://a.b.wearfits.com"]
REFUSED_ORIGINS = [
    "https://evilwearfits.com",
    "http://app.wearfits.com",
    "https://wearfits.com.evil.com",
    "https://app.wearfits.com:8443",
]


@pytest.fixture(scope="module")
def user(stack: DevStack) -> User:
    return stack.new_user()


def send(stack: DevStack, method: str, path: str, **kwargs: Any) -> requests.Response:
    with http() as session:
        return session.request(method, stack.url(path), timeout=REQUEST_TIMEOUT, **kwargs)


def tryon(stack: DevStack, user: User, **fields: Any) -> dict[str, Any]:
    return {"handshake": stack.handshake, "type": "AR", "count": 1, "user_id": user.user_id, **fields}


def assert_refused(reply: requests.Response, status: int, error: str) -> None:
    """The documented error format, with the status and message a client can act on."""
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == {"success": False, "error": error}
    assert reply.headers.get("X-Request-Id")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_get_is_not_allowed_and_says_what_is(stack: DevStack, path: str) -> None:
    # when
    reply = send(stack, "GET", path)
    # then
    assert_refused(reply, 405, "Method GET not allowed; use POST")
    assert reply.headers["Allow"] == "POST"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_path_is_404_in_the_same_format(stack: DevStack, user: User, method: str) -> None:
    # when
    reply = send(stack, method, "/api/v1/integration/increase-usage", json=tryon(stack, user))
    # then
    assert_refused(reply, 404, "Not found")


def test_every_kind_of_response_carries_its_own_request_id(stack: DevStack, user: User) -> None:
    # given: a success, refusals from the handler and from the gateway, and a preflight
    preflight = {"Origin": ALLOWED_ORIGINS[0], "Access-Control-Request-Method": "POST"}
    # when
    replies = [
        send(stack, "POST", TRYON, json=tryon(stack, user)),
        send(stack, "POST", TRYON, json=tryon(stack, user, count=0)),
        send(stack, "POST", TRYON, json=tryon(stack, user, handshake="wrong")),
        send(stack, "GET", PRODUCTS),
        send(stack, "POST", "/nowhere", json={}),
        send(stack, "OPTIONS", API_KEY_USAGE, headers=preflight),
    ]
    # then
    assert [reply.status_code for reply in replies] == [200, 400, 401, 405, 404, 204]
    ids = [reply.headers.get("X-Request-Id") for reply in replies]
    assert all(ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("origin", ALLOWED_ORIGINS)
def test_a_preflight_from_wearfits_is_allowed(stack: DevStack, origin: str) -> None:
    # when
    reply = send(
        stack,
        "OPTIONS",
        TRYON,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )
    # then
    assert reply.status_code == 204
    assert reply.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
    allowed_headers = reply.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed_headers
    assert "idempotency-key" in allowed_headers
    assert "Origin" in reply.headers["Vary"]


@pytest.mark.parametrize("origin", REFUSED_ORIGINS)
def test_a_preflight_from_elsewhere_gets_no_allow_origin(stack: DevStack, origin: str) -> None:
    # when
    reply = send(stack, "OPTIONS", TRYON, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    # then
    assert "Access-Control-Allow-Origin" not in reply.headers
    assert "Access-Control-Allow-Methods" not in reply.headers


@pytest.mark.parametrize("origin", ALLOWED_ORIGINS + REFUSED_ORIGINS)
def test_a_post_carries_allow_origin_only_for_wearfits(stack: DevStack, user: User, origin: str) -> None:
    # when
    reply = send(stack, "POST", TRYON, json=tryon(stack, user), headers={"Origin": origin})
    # then
    assert reply.status_code == 200
    assert reply.headers.get("Access-Control-Allow-Origin") == (origin if origin in ALLOWED_ORIGINS else None)
    assert "Origin" in reply.headers["Vary"]


def test_a_refusal_is_readable_by_a_wearfits_page(stack: DevStack, user: User) -> None:
    # when
    reply = send(
        stack,
        "POST",
        TRYON,
        json=tryon(stack, user, handshake="wrong"),
        headers={"Origin": "https://app.wearfits.com"},
    )
    # then
    assert_refused(reply, 401, "Invalid handshake token")
    assert reply.headers["Access-Control-Allow-Origin"] == "https://app.wearfits.com"


def padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` with a ``padding`` field that makes its JSON exactly ``size`` bytes."""
    empty = len(json.dumps({**body, "padding": ""}).encode())
    data = json.dumps({**body, "padding": "x" * (size - empty)}).encode()
    assert len(data) == size
    return data


def test_a_body_over_16_kb_is_413_and_counts_nothing(stack: DevStack) -> None:
    # given
    user = stack.new_user()
    headers = {"Content-Type": "application/json"}
    # when
    at_limit = send(stack, "POST", TRYON, data=padded(tryon(stack, user), 16 * 1024), headers=headers)
    over = send(stack, "POST", TRYON, data=padded(tryon(stack, user), 16 * 1024 + 1), headers=headers)
    # then: 16 KB is read (and refused for its unknown field); one byte more is too large
    assert_refused(at_limit, 400, "Unknown field: padding")
    assert_refused(over, 413, "Request body must not exceed 16 KB")
    assert stack.usage(user.user_id)["period_totals"] == {"ar_tryons": 0, "ai_tryons": 0, "api_calls": 0}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_wrong_handshake_is_401(stack: DevStack, user: User, path: str) -> None:
    # given: a body that would be valid for the endpoint, but for its token
    body = {
        TRYON: tryon(stack, user),
        API_KEY_USAGE: {"handshake": stack.handshake, "api_key": user.api_key, "count": 1},
        PRODUCTS: {"handshake": stack.handshake, "user_id": user.user_id, "value": 1},
    }[path]
    # when
    reply = send(stack, "POST", path, json={**body, "handshake": stack.handshake[::-1]})
    # then
    assert_refused(reply, 401, "Invalid handshake token")


@pytest.mark.parametrize("path", [TRYON, API_KEY_USAGE])
def test_the_demo_inactive_key_is_403_and_counts_nothing(stack: DevStack, path: str) -> None:
    # given: the demo user's deactivated key
    demo = stack.credentials
    body: dict[str, Any] = {"handshake": stack.handshake, "count": 1, "api_key": demo["inactive_api_key"]}
    if path == TRYON:
        body["type"] = "AI"
    before = stack.usage(demo["user_id"])
    # when
    reply = send(stack, "POST", path, json=body)
    # then
    assert_refused(reply, 403, "API key is inactive")
    assert stack.usage(demo["user_id"]) == before


def test_after_a_handshake_rotation_the_old_and_the_new_token_both_work(stack: DevStack) -> None:
    # given
    user = stack.new_user()
    old = stack.handshake

    def count_with(token: str) -> requests.Response:
        return send(stack, "POST", TRYON, json={**tryon(stack, user), "handshake": token})

    # when: an operator rotates the token
    new = stack.admin("rotate-handshake")["handshake"]
    # then: the legacy system's current token keeps working at once
    assert count_with(old).status_code == 200
    # and the new one works at once: a token that does not match makes the gateway refetch the secret
    # (at most once a second), long before its cached copy expires
    deadline = time.monotonic() + 2
    early = []
    while (reply := count_with(new)).status_code != 200 and time.monotonic() < deadline:
        early.append(reply)
        time.sleep(0.25)
    assert reply.status_code == 200, reply.text
    assert all(r.json() == {"success": False, "error": "Invalid handshake token"} for r in early)
    stack.handshake = new  # later tests send the current token
    # and the old one still works, as "previous", until rotate-handshake --finish
    assert count_with(old).status_code == 200
    assert stack.usage(user.user_id)["period_totals"]["ar_tryons"] == 3


# --- text an outside probe sent: one strict JSON parser for both APIs, 4xx and nothing counted ----------
def test_a_lone_surrogate_escape_is_400_on_both_apis_and_counts_nothing(stack: DevStack, user: User) -> None:
    # given: the documented bodies with a lone surrogate where a hash or a comparison reads the string
    before = stack.usage(user.user_id)["period_totals"]
    integration = json.dumps(tryon(stack, user, api_key="KEY")).replace('"KEY"', '"footwear_\\ud800"')
    token = json.dumps(
        {
            "grant_type": "client_credentials",
            "client_id": stack.credentials["client_id"],
            "client_secret": "S",
        }
    ).replace('"S"', '"\\ud800"')
    headers = {"Content-Type": "application/json"}
    # when
    counted = send(stack, "POST", TRYON, data=integration.encode(), headers=headers)
    issued = send(stack, "POST", "/oauth/token", data=token.encode(), headers=headers)
    # then
    assert_refused(counted, 400, "Request body has a string that is not valid Unicode (a lone surrogate)")
    assert issued.status_code == 400, issued.text
    assert issued.json()["error"] == "invalid_request"
    assert stack.usage(user.user_id)["period_totals"] == before


@pytest.mark.parametrize(
    ("path", "encode"),
    [
        (TRYON, lambda text: text.encode("utf-16")),
        (TRYON, lambda text: text.encode("utf-32-le")),
        (TRYON, lambda text: text.encode("utf-8-sig")),
        ("/oauth/token", lambda text: text.encode("utf-16-le")),
        ("/oauth/token", lambda text: text.encode("utf-8-sig")),
    ],
)
def test_json_that_is_not_utf8_is_400(stack: DevStack, user: User, path: str, encode: Any) -> None:
    body = tryon(stack, user) if path == TRYON else {"grant_type": "client_credentials"}
    reply = send(
        stack, "POST", path, data=encode(json.dumps(body)), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 400, reply.text


def test_a_key_sent_twice_is_400_and_counts_nothing(stack: DevStack, user: User) -> None:
    before = stack.usage(user.user_id)["period_totals"]
    body = json.dumps(tryon(stack, user))[:-1] + ', "count": 1000000}'
    reply = send(stack, "POST", TRYON, data=body.encode(), headers={"Content-Type": "application/json"})
    assert_refused(reply, 400, "Request body has a repeated key in one object: count")
    assert stack.usage(user.user_id)["period_totals"] == before
