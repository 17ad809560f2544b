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


def test_an_org_is_one_account_with_its_dashboard_user(stack: InProcessApi, admin: Any) -> None:
    """create-org makes the Dashboard user /v1/me shows as id, on a plan, or links an existing one."""
    code, org = admin("create-org", "--handle", "@new_brand", "--plan", "starter")
    assert code == 0
    assert org["user_id"].startswith("usr_")
    code, report = admin("usage", org["user_id"])
    assert (code, report["plan"]["name"]) == (0, "starter")
    assert admin("usage", org["org_id"])[1] == report  # an org's id names its account too

    code, linked = admin("create-org", "--handle", "@linked", "--user", stack.demo["other_user_id"])
    assert (code, linked["user_id"]) == (0, stack.demo["other_user_id"])
    code, error = admin("create-org", "--handle", "@twice", "--user", stack.demo["other_user_id"])
    assert code == 1
    assert "another org's" in error
    code, error = admin("create-org", "--handle", "@ghost", "--user", "usr_nobody")
    assert code == 1
    assert "not found" in error.lower()
    code, error = admin("create-org", "--handle", "@planless", "--plan", "gold")
    assert code == 1
    assert "gold" in error
    for handle in ("@twice", "@ghost", "@planless"):  # nothing was written for the refused ones
        assert admin("create-org", "--handle", handle)[0] == 0


def test_approve_try_on_types_and_register_domains(stack: InProcessApi, admin: Any) -> None:
    org_id = stack.demo["org_id"]
    code, org = admin("set-tryon", org_id, "--type", "AR")
    assert (code, org["tryon_types"]) == (0, ["AR"])
    assert admin("set-tryon", org_id, "--type", "none")[1]["tryon_types"] == []
    code, domain = admin("add-domain", org_id, "Shop.Example")
    assert (code, domain["domain"], domain["added"]) == (0, "shop.example", True)
    assert admin("add-domain", org_id, "shop.example")[1]["added"] is False
    assert {d.domain for d in stack.partners().domains(org_id)} >= {"shop.example"}
    code, error = admin("add-domain", org_id, "localhost")
    assert code == 1
    assert "domain" in error
    assert admin("remove-domain", org_id, "shop.example")[0] == 0
    assert admin("remove-domain", org_id, "shop.example")[0] == 1
