"""Token introspection (RFC 7662) and revocation (RFC 7009) in-process on moto, through the dev gateway."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import pytest

from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.partners import MAX_AUTH_FAILURES, REVOCATION_MARGIN_SECONDS, partner_service
from fashionos.identity.tokens import TokenIssuer
from tests.helpers import Reply, basic, oauth_error
from tests.integration.conftest import ISSUER, InProcessApi
from tests.integration.partner_calls import AUDIENCE, FORM, token_with_basic, verifier

INTROSPECT = "/oauth/introspect"
REVOKE = "/oauth/revoke"


def demo_client(stack: InProcessApi) -> dict[str, str]:
    return basic(stack.demo["client_id"], stack.demo["client_secret"])


def limited_client(stack: InProcessApi) -> dict[str, str]:
    return basic(stack.demo["limited_client_id"], stack.demo["limited_client_secret"])


def operation(stack: InProcessApi, path: str, token: str, auth: dict[str, str]) -> Reply:
    raw = urlencode({"token": token, "token_type_hint": "access_token"}).encode()
    return stack.call(path, headers={"Content-Type": FORM, **auth}, raw=raw)


def introspect(stack: InProcessApi, token: str, auth: dict[str, str] | None = None) -> dict[str, Any]:
    reply = operation(stack, INTROSPECT, token, auth or demo_client(stack))
    assert reply.status == 200, reply.text
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("X-Request-Id")
    body: dict[str, Any] = reply.json
    return body


def revoke(stack: InProcessApi, token: str, auth: dict[str, str] | None = None) -> Reply:
    reply = operation(stack, REVOKE, token, auth or demo_client(stack))
    assert reply.status == 200, reply.text
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("X-Request-Id")
    assert reply.text == ""
    return reply


def access_token(stack: InProcessApi) -> str:
    reply = token_with_basic(stack)
    assert reply.status == 200, reply.text
    token: str = reply.json["access_token"]
    return token


def test_introspecting_an_active_token(stack: InProcessApi) -> None:
    # given
    token = access_token(stack)
    claims = verifier(stack).verify(token)
    # when
    body = introspect(stack, token)
    # then
    assert body == {
        "active": True,
        "scope": " ".join(sorted(KNOWN_SCOPES)),
        "client_id": stack.demo["client_id"],
        "sub": stack.demo["client_id"],
        "aud": AUDIENCE,
        "iss": ISSUER,
        "exp": claims.exp,
        "iat": claims.iat,
        "jti": claims.jti,
        "token_type": "Bearer",
        "org_id": stack.demo["org_id"],
    }


def test_client_secret_post_in_json_works_too(stack: InProcessApi) -> None:
    token = access_token(stack)
    fields = {
        "token": token,
        "client_id": stack.demo["client_id"],
        "client_secret": stack.demo["client_secret"],
    }
    reply = stack.call(INTROSPECT, fields)
    assert reply.status == 200, reply.text
    assert reply.json["active"] is True


def test_a_revoked_token_is_inactive(stack: InProcessApi) -> None:
    # given
    token = access_token(stack)
    jti = verifier(stack).verify(token).jti
    # when
    revoke(stack, token)
    # then
    assert introspect(stack, token) == {"active": False}
    assert partner_service(stack.local.physical["PartnerTable"]).is_token_revoked(jti)
    # and revoking again is harmless, and the client's other tokens are unaffected
    revoke(stack, token)
    assert introspect(stack, access_token(stack))["active"] is True


def test_another_client_can_neither_revoke_nor_introspect_a_token(stack: InProcessApi) -> None:
    # given
    token = access_token(stack)
    # when
    revoke(stack, token, limited_client(stack))
    # then: 200, but nothing revoked, and nothing leaked
    assert introspect(stack, token, limited_client(stack)) == {"active": False}
    assert introspect(stack, token)["active"] is True


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_tokens_revoke_fine_and_are_inactive(stack: InProcessApi, garbage: str) -> None:
    revoke(stack, garbage)
    assert introspect(stack, garbage) == {"active": False}


def test_an_expired_token_is_inactive(stack: InProcessApi) -> None:
    # given: a token that expired an hour ago
    keys = stack.signing_keys()
    demo = stack.demo
    token, _ = TokenIssuer(ISSUER, keys).issue(
        client_id=demo["client_id"],
        org_id=demo["org_id"],
        subject=demo["client_id"],
        scopes=["profile:read"],
        audience=AUDIENCE,
        now=time.time() - 7200,
    )
    # then
    assert introspect(stack, token) == {"active": False}
    revoke(stack, token)


def test_a_revocation_past_the_tokens_expiry_counts_as_absent(stack: InProcessApi) -> None:
    # moto never runs TTL, and DynamoDB's TTL deletes late: the read side ignores expired records.
    service = partner_service(stack.local.physical["PartnerTable"])
    now = time.time()
    # a record lasts REVOCATION_MARGIN_SECONDS past the token's exp, longer than any verifier's leeway
    service.revoke_token("01EXPIRED", int(now) - REVOCATION_MARGIN_SECONDS - 1)
    service.revoke_token("01LIVE", int(now) - REVOCATION_MARGIN_SECONDS + 60)
    assert not service.is_token_revoked("01EXPIRED", now)
    assert service.is_token_revoked("01LIVE", now)
    assert not service.is_token_revoked("01NEVER", now)


@pytest.mark.parametrize("path", [INTROSPECT, REVOKE])
def test_a_wrong_secret_is_invalid_client_with_a_challenge(stack: InProcessApi, path: str) -> None:
    token = access_token(stack)
    reply = operation(stack, path, token, basic(stack.demo["client_id"], "cs_wrong"))
    oauth_error(reply, 401, "invalid_client")
    assert reply.header("WWW-Authenticate") == 'Basic realm="fashionos"'
    # and the token was not revoked
    assert introspect(stack, token)["active"] is True


@pytest.mark.parametrize("path", [INTROSPECT, REVOKE])
def test_no_client_authentication_is_invalid_client(stack: InProcessApi, path: str) -> None:
    reply = stack.call(path, headers={"Content-Type": FORM}, raw=b"token=x")
    oauth_error(reply, 401, "invalid_client")


@pytest.mark.parametrize("path", [INTROSPECT, REVOKE])
def test_a_missing_token_is_invalid_request(stack: InProcessApi, path: str) -> None:
    reply = stack.call(path, headers={"Content-Type": FORM, **demo_client(stack)}, raw=b"")
    oauth_error(reply, 400, "invalid_request")


@pytest.mark.usefixtures("steady_failure_window")
def test_failures_here_count_towards_the_token_endpoints_throttle(stack: InProcessApi) -> None:
    wrong = basic(stack.demo["client_id"], "cs_wrong")
    for path in [INTROSPECT, REVOKE] * (MAX_AUTH_FAILURES // 2):
        oauth_error(operation(stack, path, "x", wrong), 401, "invalid_client")
    for reply in (operation(stack, INTROSPECT, "x", demo_client(stack)), token_with_basic(stack)):
        oauth_error(reply, 429, "temporarily_unavailable")
        assert int(reply.header("Retry-After") or 0) >= 1


@pytest.mark.parametrize("path", [INTROSPECT, REVOKE])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_only_post(stack: InProcessApi, path: str, method: str) -> None:
    reply = stack.call(path, method=method)
    oauth_error(reply, 405, "invalid_request")
    assert reply.header("Allow") == "POST"


def test_the_metadata_names_both_endpoints(stack: InProcessApi) -> None:
    document = stack.call("/.well-known/oauth-authorization-server", method="GET").json
    assert document["introspection_endpoint"] == ISSUER + INTROSPECT
    assert document["revocation_endpoint"] == ISSUER + REVOKE
    methods = ["client_secret_basic", "client_secret_post"]
    assert document["introspection_endpoint_auth_methods_supported"] == methods
    assert document["revocation_endpoint_auth_methods_supported"] == methods
