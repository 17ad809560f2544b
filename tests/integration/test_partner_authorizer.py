"""The Partner API's /v1 routes behind the Lambda authorizer, in-process on moto through the dev gateway
(which runs the authorizer as API Gateway does): who gets in, what each refusal looks like, scopes, the
authorizer cache, sandbox keys and per-client rate limits."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.signing_keys import SigningKeys, generate_signing_key, load_private_key
from fashionos.ids import ulid
from tests.helpers import Reply, b64, basic, problem, segment, sign
from tests.integration.conftest import ISSUER, InProcessApi, StackFactory
from tests.integration.partner_calls import AUDIENCE, token_with_basic

ME = "/v1/me"


def access_token(stack: InProcessApi, **fields: str) -> str:
    reply = token_with_basic(stack, **fields)
    assert reply.status == 200, reply.text
    token: str = reply.json["access_token"]
    return token


def me(stack: InProcessApi, token: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    sent = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return stack.call(ME, method="GET", headers={**sent, **(headers or {})})


def unauthorized(reply: Reply) -> None:
    problem(reply, 401)
    assert reply.header("WWW-Authenticate") == 'Bearer realm="fashionos"'


# --- who gets in ------------------------------------------------------------------------------------------
def test_the_documented_flow_token_then_me_returns_the_partner_profile(stack: InProcessApi) -> None:
    # given
    token = access_token(stack)
    # when
    reply = me(stack, token)
    # then
    assert reply.status == 200, reply.text
    assert reply.header("X-Request-Id")
    assert reply.header("Cache-Control") == "no-store"
    body = reply.json
    assert body["id"].startswith("usr_")
    assert (body["handle"], body["twin_active"]) == ("@yourbrand", True)
    assert body["org"] == {"id": stack.demo["org_id"], "handle": "@yourbrand", "display_name": None}
    assert (body["credential"], body["client_id"]) == ("access_token", stack.demo["client_id"])
    assert set(body["scopes"]) == KNOWN_SCOPES
    assert body["rate_limit"] == {"tier": "default", "limit": 100, "window_seconds": 60}


def test_the_limited_client_sees_only_its_one_scope(stack: InProcessApi) -> None:
    # given
    demo = stack.demo
    reply = stack.call(
        "/oauth/token",
        {"grant_type": "client_credentials"},
        headers=basic(demo["limited_client_id"], demo["limited_client_secret"]),
    )
    # when
    body = me(stack, reply.json["access_token"]).json
    # then
    assert (body["client_id"], body["scopes"]) == (demo["limited_client_id"], ["profile:read"])


def test_a_token_without_the_route_scope_gets_403_insufficient_scope(stack: InProcessApi) -> None:
    # given: a token the client asked to narrow to one other scope
    token = access_token(stack, scope="storefronts:read")
    # when
    reply = me(stack, token)
    # then
    body = problem(reply, 403)
    assert body["detail"] == "This route requires the scope profile:read"
    challenge = reply.header("WWW-Authenticate") or ""
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="profile:read"' in challenge
    assert reply.header("X-RateLimit-Limit") == "100"  # refused requests carry the limits too


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic Y2xpOnNlY3JldA=="},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Bearer " + "a" * 10_000},
    ],
)
def test_requests_without_a_usable_credential_get_401(stack: InProcessApi, headers: dict[str, str]) -> None:
    unauthorized(me(stack, headers=headers))


# --- attacks: each token is refused by the authorizer (and an honest hand-built one is accepted) --------
def claims(stack: InProcessApi, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "iss": ISSUER,
        "sub": stack.demo["client_id"],
        "aud": AUDIENCE,
        "client_id": stack.demo["client_id"],
        "org_id": stack.demo["org_id"],
        "scope": "profile:read",
        "iat": now,
        "exp": now + 3600,
        "jti": ulid(),
        **changes,
    }
    return {name: value for name, value in values.items() if value is not None}


def header(keys: SigningKeys, **changes: Any) -> dict[str, Any]:
    return {"alg": "RS256", "typ": "at+jwt", "kid": keys.current.kid, **changes}


def forged(stack: InProcessApi, attack: str) -> str:
    keys = stack.signing_keys()
    ours = keys.current.private_key
    now = int(time.time())
    if attack == "honest":
        return sign(header(keys), claims(stack), ours)
    if attack == "alg none":
        return f"{segment(header(keys, alg='none'))}.{segment(claims(stack))}."
    if attack == "HS256 keyed with our public key":
        public_pem = keys.public_keys[keys.current.kid].public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signing_input = f"{segment(header(keys, alg='HS256'))}.{segment(claims(stack))}"
        return f"{signing_input}.{b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())}"
    if attack == "unknown kid":
        stranger = generate_signing_key()
        return sign(
            header(keys, kid=stranger["kid"]), claims(stack), load_private_key(stranger["private_pem"])
        )
    if attack == "path-like kid":
        return sign(header(keys, kid="../../secrets/current"), claims(stack), ours)
    if attack in ("jku", "x5u"):
        return sign(header(keys, **{attack: "https://evil.example/jwks.json"}), claims(stack), ours)
    if attack == "jwk":
        return sign(header(keys, jwk={"kty": "RSA", "n": "AQAB", "e": "AQAB"}), claims(stack), ours)
    if attack == "expired":
        return sign(header(keys), claims(stack, iat=now - 7200, exp=now - 3600), ours)
    if attack == "not yet valid":
        return sign(header(keys), claims(stack, nbf=now + 3600), ours)
    if attack == "wrong audience":
        return sign(header(keys), claims(stack, aud="another-api"), ours)
    if attack == "wrong issuer":
        return sign(header(keys), claims(stack, iss="https://evil.example"), ours)
    if attack == "tampered payload":
        honest = sign(header(keys), claims(stack), ours)
        head, _, signature = honest.split(".")
        return f"{head}.{segment(claims(stack, scope=' '.join(sorted(KNOWN_SCOPES))))}.{signature}"
    raise AssertionError(attack)


def test_an_honest_hand_built_token_is_accepted(stack: InProcessApi) -> None:
    assert me(stack, forged(stack, "honest")).status == 200


@pytest.mark.parametrize(
    "attack",
    [
        "alg none",
        "HS256 keyed with our public key",
        "unknown kid",
        "path-like kid",
        "jku",
        "x5u",
        "jwk",
        "expired",
        "not yet valid",
        "wrong audience",
        "wrong issuer",
        "tampered payload",
    ],
)
def test_forged_and_stale_tokens_get_401(stack: InProcessApi, attack: str) -> None:
    unauthorized(me(stack, forged(stack, attack)))


def test_a_token_of_a_deleted_client_gets_401(stack: InProcessApi) -> None:
    # given
    token = access_token(stack)
    assert me(stack, token).status == 200
    # when
    stack.partners().delete_client(stack.demo["client_id"])
    # then
    unauthorized(me(stack, token))


def test_a_token_of_a_revoked_client_gets_401(stack: InProcessApi) -> None:
    token = access_token(stack)
    stack.partners().revoke_client(stack.demo["client_id"])
    unauthorized(me(stack, token))


def test_a_revoked_token_gets_401_at_once_in_the_sandbox(stack: InProcessApi) -> None:
    # given
    token = access_token(stack)
    other = access_token(stack)
    demo = stack.demo
    # when
    revoked = stack.call(
        "/oauth/revoke", {"token": token}, headers=basic(demo["client_id"], demo["client_secret"])
    )
    # then
    assert revoked.status == 200
    unauthorized(me(stack, token))
    assert me(stack, other).status == 200  # only that token


# --- the authorizer cache (prod: 60 s, keyed by the Authorization header) --------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_in_prod_a_revoked_token_is_refused_once_the_cached_decision_expires(
    make_stack: StackFactory,
) -> None:
    # given: a token the authorizer has approved (and API Gateway cached)
    clock = Clock()
    stack = make_stack("prod", clock)
    token = access_token(stack)
    assert me(stack, token).status == 200
    demo = stack.demo
    stack.call("/oauth/revoke", {"token": token}, headers=basic(demo["client_id"], demo["client_secret"]))
    # when / then: still honoured from the cache for up to its TTL, refused after
    clock.now += 59
    assert me(stack, token).status == 200
    clock.now += 2
    unauthorized(me(stack, token))


def test_in_prod_a_cached_decision_grants_no_scope_the_token_lacks(make_stack: StackFactory) -> None:
    # given: two tokens, both approved and cached, one without profile:read
    stack = make_stack("prod", Clock())
    full, narrow = access_token(stack), access_token(stack, scope="storefronts:read")
    for _ in range(2):  # the second round is served from the cache
        # then
        assert me(stack, full).status == 200
        problem(me(stack, narrow), 403)


def test_in_prod_a_request_without_authorization_is_refused_before_the_authorizer(
    make_stack: StackFactory,
) -> None:
    stack = make_stack("prod")
    unauthorized(me(stack, headers={"X-Api-Key": stack.demo["sandbox_api_key"]}))


# --- sandbox keys ----------------------------------------------------------------------------------------
def test_a_sandbox_key_calls_v1_in_the_sandbox(stack: InProcessApi) -> None:
    reply = me(stack, headers={"X-Api-Key": stack.demo["sandbox_api_key"]})
    assert reply.status == 200, reply.text
    assert (reply.json["credential"], reply.json["client_id"]) == ("sandbox_key", None)


@pytest.mark.parametrize("mangle", ["wrong secret", "unknown id", "garbage", "revoked"])
def test_a_bad_sandbox_key_gets_401(stack: InProcessApi, mangle: str) -> None:
    key: str = stack.demo["sandbox_api_key"]
    if mangle == "wrong secret":
        key = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    elif mangle == "unknown id":
        key = key[:11] + "Z" * 12 + key[23:]
    elif mangle == "garbage":
        key = "sk_sandbox_"
    else:
        stack.partners().revoke_sandbox_key(key)
    unauthorized(me(stack, headers={"X-Api-Key": key}))


# --- routes and errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/nothing-here"), ("GET", "/v1")])
def test_unknown_routes_get_404_problems(stack: InProcessApi, method: str, path: str) -> None:
    token = access_token(stack)
    reply = stack.call(path, method=method, headers={"Authorization": f"Bearer {token}"})
    problem(reply, 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_method_a_path_does_not_have_is_a_405_saying_which_it_has(stack: InProcessApi, method: str) -> None:
    for headers in ({"Authorization": f"Bearer {access_token(stack)}"}, {}):
        reply = stack.call(ME, method=method, headers=headers)
        assert problem(reply, 405)["detail"] == f"Method {method} not allowed; use GET"
        assert reply.headers["Allow"] == "GET"
    preflight = stack.call(ME, method="OPTIONS")
    assert (preflight.status, preflight.headers["Allow"]) == (204, "GET")


def test_a_route_invoked_without_an_authorizer_context_fails_closed(stack: InProcessApi) -> None:
    # given: the handler called directly, as if deployed without the authorizer
    from devserver.gateway import LambdaContext
    from functions.partner.me import handler

    event = {"httpMethod": "GET", "path": ME, "headers": {}, "requestContext": {"requestId": "r-1"}}
    # when
    result = handler.lambda_handler(event, LambdaContext("MeFunction", "r-1"))  # type: ignore[arg-type]
    # then
    assert result["statusCode"] == 401
    assert result["headers"]["Content-Type"] == "application/problem+json"


# --- rate limits -----------------------------------------------------------------------------------------
def test_the_101st_request_in_a_minute_gets_429_with_retry_after(stack: InProcessApi, minute: int) -> None:
    # given
    token = access_token(stack)
    # when
    replies = [me(stack, token) for _ in range(101)]
    # then
    assert [reply.status for reply in replies] == [200] * 100 + [429]
    first, last_ok, refused = replies[0], replies[99], replies[100]
    assert first.header("RateLimit-Policy") == '"default";q=100;w=60'
    assert (first.header("X-RateLimit-Limit"), first.header("X-RateLimit-Remaining")) == ("100", "99")
    assert last_ok.header("X-RateLimit-Remaining") == "0"
    body = problem(refused, 429)
    assert "Retry-After" in body["detail"]
    retry_after = int(refused.header("Retry-After") or 0)
    assert 1 <= retry_after <= 60
    assert refused.header("RateLimit") == f'"default";r=0;t={retry_after}'
    reset = int(refused.header("X-RateLimit-Reset") or 0)
    assert reset % 60 == 0
    assert reset == minute + 60


@pytest.mark.usefixtures("minute")
def test_clients_are_limited_separately(stack: InProcessApi) -> None:
    # given: the demo client has spent its minute
    token = access_token(stack)
    for _ in range(100):
        me(stack, token)
    assert me(stack, token).status == 429
    # when / then: the org's sandbox key is counted on its own
    assert me(stack, headers={"X-Api-Key": stack.demo["sandbox_api_key"]}).status == 200


def test_a_burst_tier_raises_the_limit(stack: InProcessApi) -> None:
    # given
    stack.partners().set_rate_tier(stack.demo["client_id"], "burst-1k")
    # when
    reply = me(stack, access_token(stack))
    # then
    assert reply.header("RateLimit-Policy") == '"burst-1k";q=1000;w=60'
    assert reply.json["rate_limit"] == {"tier": "burst-1k", "limit": 1000, "window_seconds": 60}
