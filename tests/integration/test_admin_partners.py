"""``fashionos-admin``'s Partner API commands, and their effect on the token endpoint (on moto)."""

from __future__ import annotations

from typing import Any

import jwt

from fashionos.percontainer import reset_all
from tests.helpers import basic
from tests.integration.conftest import InProcessApi
from tests.integration.partner_calls import JWKS, form

GRANT = {"grant_type": "client_credentials"}


def test_provision_an_org_and_a_client_then_get_a_token(stack: InProcessApi, admin: Any) -> None:
    # given
    code, org = admin("create-org", "--handle", "@Acme_Shoes", "--twin-active")
    assert (code, org["handle"], org["twin_active"]) == (0, "@acme_shoes", True)
    code, client = admin(
        "create-client", org["org_id"], "--scope", "profile:read", "--scope", "products:write"
    )
    assert code == 0
    assert client["scopes"] == ["products:write", "profile:read"]
    assert client["client_secret"].startswith("cs_")
    assert "secret_hash" not in client
    # when
    reply = form(stack, GRANT, basic(client["client_id"], client["client_secret"]))
    # then
    assert reply.status == 200, reply.text
    assert reply.json["scope"] == "products:write profile:read"


def test_rotate_a_secret_with_grace_then_revoke(stack: InProcessApi, admin: Any) -> None:
    # given
    demo = stack.demo
    # when
    code, rotated = admin("rotate-client-secret", demo["client_id"], "--grace-seconds", "600")
    # then: both secrets work during the grace period
    assert code == 0
    assert rotated["previous_secret_expires_at"] is not None
    for secret in (demo["client_secret"], rotated["client_secret"]):
        assert form(stack, GRANT, basic(demo["client_id"], secret)).status == 200
    # when
    assert admin("revoke-client", demo["client_id"]) == (
        0,
        {"client_id": demo["client_id"], "status": "revoked"},
    )
    # then
    reply = form(stack, GRANT, basic(demo["client_id"], rotated["client_secret"]))
    assert (reply.status, reply.json["error"]) == (401, "invalid_client")


def test_rate_tiers_and_sandbox_keys(stack: InProcessApi, admin: Any) -> None:
    demo = stack.demo
    assert admin("set-rate-tier", demo["client_id"], "burst-1k")[0] == 0
    code, key = admin("create-sandbox-key", demo["org_id"], "--scope", "profile:read")
    assert (code, key["scopes"]) == (0, ["profile:read"])
    assert key["api_key"].startswith("sk_sandbox_")


def test_rotate_the_signing_key_keeps_old_tokens_verifiable(stack: InProcessApi, admin: Any) -> None:
    # given
    old = form(stack, GRANT, basic(stack.demo["client_id"], stack.demo["client_secret"])).json["access_token"]
    # when
    code, rotated = admin("rotate-signing-key")
    reset_all()  # a new container (a warm one catches up within its cache TTL)
    # then: both keys are published, and the old token still verifies against the JWKS
    assert code == 0
    keys = {jwk["kid"]: jwk for jwk in stack.call(JWKS, method="GET").json["keys"]}
    assert rotated["kid"] in keys
    old_kid = jwt.get_unverified_header(old)["kid"]
    assert old_kid in keys
    assert old_kid != rotated["kid"]
    jwt.decode(old, jwt.PyJWK(keys[old_kid]), algorithms=["RS256"], audience="fashionos-partner-api")
    # and new tokens are signed with the new key
    new = form(stack, GRANT, basic(stack.demo["client_id"], stack.demo["client_secret"])).json["access_token"]
    assert jwt.get_unverified_header(new)["kid"] == rotated["kid"]
