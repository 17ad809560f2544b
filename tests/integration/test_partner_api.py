"""The Partner API's OAuth endpoints in-process on moto, through the dev gateway's routing: the token
endpoint (client credentials), the JWKS and the authorization server metadata."""

from __future__ import annotations

import json

import jwt
import pytest

from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.partners import MAX_AUTH_FAILURES
from tests.helpers import basic, oauth_error
from tests.integration.conftest import ISSUER, InProcessApi
from tests.integration.partner_calls import (
    AUDIENCE,
    FORM,
    JWKS,
    METADATA,
    TOKEN,
    form,
    token_with_basic,
    verifier,
)


def test_client_secret_basic_gets_an_rfc9068_token_with_every_granted_scope(stack: InProcessApi) -> None:
    # when
    reply = token_with_basic(stack)
    # then
    assert reply.status == 200, reply.text
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("Pragma") == "no-cache"
    assert reply.header("X-Request-Id")
    body = reply.json
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert set(body["scope"].split()) == KNOWN_SCOPES
    assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
    token = verifier(stack).verify(body["access_token"])
    assert (token.client_id, token.sub) == (stack.demo["client_id"], stack.demo["client_id"])
    assert token.org_id == stack.demo["org_id"]
    assert token.scopes == KNOWN_SCOPES


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_client_secret_post_in_json_or_form(stack: InProcessApi, encoding: str) -> None:
    fields = {
        "grant_type": "client_credentials",
        "client_id": stack.demo["client_id"],
        "client_secret": stack.demo["client_secret"],
        "scope": "profile:read products:write",
    }
    reply = stack.call(TOKEN, fields) if encoding == "json" else form(stack, fields)
    assert reply.status == 200, reply.text
    assert reply.json["scope"] == "products:write profile:read"
    assert verifier(stack).verify(reply.json["access_token"]).scopes == {"profile:read", "products:write"}


def test_the_jwks_endpoint_publishes_the_key_that_verifies_tokens(stack: InProcessApi) -> None:
    # given
    access_token = token_with_basic(stack).json["access_token"]
    # when
    reply = stack.call(JWKS, method="GET")
    # then
    assert reply.status == 200
    assert reply.header("Cache-Control") == "public, max-age=300"
    assert reply.header("X-Request-Id")
    (jwk,) = reply.json["keys"]
    assert "d" not in jwk
    assert jwk["kid"] == jwt.get_unverified_header(access_token)["kid"]
    key = jwt.PyJWK(jwk)
    claims = jwt.decode(access_token, key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
    assert claims["client_id"] == stack.demo["client_id"]


def test_the_limited_client_gets_only_profile_read(stack: InProcessApi) -> None:
    demo = stack.demo
    fields = {"grant_type": "client_credentials"}
    reply = form(stack, fields, basic(demo["limited_client_id"], demo["limited_client_secret"]))
    assert reply.status == 200, reply.text
    assert reply.json["scope"] == "profile:read"
    assert verifier(stack).verify(reply.json["access_token"]).scopes == {"profile:read"}
    # and it cannot ask for more
    refused = form(
        stack,
        {**fields, "scope": "profile:read storefronts:read"},
        basic(demo["limited_client_id"], demo["limited_client_secret"]),
    )
    body = oauth_error(refused, 400, "invalid_scope")
    assert "storefronts:read" in body["error_description"]


def test_an_unknown_scope_is_invalid_scope(stack: InProcessApi) -> None:
    oauth_error(token_with_basic(stack, scope="everything:admin"), 400, "invalid_scope")


def test_a_wrong_secret_is_invalid_client_with_a_challenge(stack: InProcessApi) -> None:
    reply = form(stack, {"grant_type": "client_credentials"}, basic(stack.demo["client_id"], "cs_wrong"))
    oauth_error(reply, 401, "invalid_client")
    assert reply.header("WWW-Authenticate") == 'Basic realm="fashionos"'


@pytest.mark.usefixtures("steady_failure_window")
def test_after_too_many_failures_even_the_right_secret_waits(stack: InProcessApi) -> None:
    # given: the window's allowance of failures
    wrong = basic(stack.demo["client_id"], "cs_wrong")
    for _ in range(MAX_AUTH_FAILURES):
        oauth_error(form(stack, {"grant_type": "client_credentials"}, wrong), 401, "invalid_client")
    # when
    replies = [form(stack, {"grant_type": "client_credentials"}, wrong), token_with_basic(stack)]
    # then
    for reply in replies:
        body = oauth_error(reply, 429, "temporarily_unavailable")
        assert body["error_description"] == "Too many failed attempts; retry later"
        assert int(reply.header("Retry-After") or 0) >= 1
    # and another client is not affected
    demo = stack.demo
    other = form(
        stack,
        {"grant_type": "client_credentials"},
        basic(demo["limited_client_id"], demo["limited_client_secret"]),
    )
    assert other.status == 200


def test_only_client_credentials_is_supported(stack: InProcessApi) -> None:
    reply = token_with_basic(stack, grant_type="password", username="a", password="b")
    oauth_error(reply, 400, "unsupported_grant_type")


@pytest.mark.parametrize(
    ("headers", "raw", "error"),
    [
        ({"Content-Type": "application/json"}, b"{not json", "invalid_request"),
        ({"Content-Type": "text/plain"}, b"grant_type=client_credentials", "invalid_request"),
        ({"Content-Type": FORM}, b"grant_type=client_credentials" + b"&x=y" * 5000, "invalid_request"),
        ({"Content-Type": FORM}, b"grant_type=client_credentials", "invalid_client"),
    ],
)
def test_malformed_requests_get_oauth_errors(
    stack: InProcessApi, headers: dict[str, str], raw: bytes, error: str
) -> None:
    reply = stack.call(TOKEN, headers=headers, raw=raw)
    oauth_error(reply, 401 if error == "invalid_client" else 400, error)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_only_post_on_the_token_endpoint(stack: InProcessApi, method: str) -> None:
    reply = stack.call(TOKEN, method=method)
    oauth_error(reply, 405, "invalid_request")
    assert reply.header("Allow") == "POST"


def test_options_on_the_token_endpoint(stack: InProcessApi) -> None:
    reply = stack.call(TOKEN, method="OPTIONS")
    assert (reply.status, reply.header("Allow"), reply.text) == (204, "POST", "")
    assert reply.header("X-Request-Id")


def test_the_metadata_document(stack: InProcessApi) -> None:
    reply = stack.call(METADATA, method="GET")
    assert reply.status == 200
    assert reply.header("X-Request-Id")
    document = reply.json
    assert document["issuer"] == ISSUER
    assert document["token_endpoint"] == ISSUER + TOKEN
    assert document["jwks_uri"] == ISSUER + JWKS
    assert document["grant_types_supported"] == ["client_credentials"]
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert set(document["scopes_supported"]) == KNOWN_SCOPES


def test_unknown_partner_paths_are_problem_documents(stack: InProcessApi) -> None:
    for path in ("/", "/v1/nope", "/.well-known/nope"):
        reply = stack.call(path, method="GET")
        assert reply.status == 404
        assert reply.header("Content-Type") == "application/problem+json"
        assert reply.header("X-Request-Id")
        assert reply.json == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "request_id": reply.header("X-Request-Id"),
        }


def test_a_signing_key_secret_without_a_key_makes_the_endpoints_say_try_later(stack: InProcessApi) -> None:
    # given: the secret emptied by hand (a new stack gets its first key from its SigningKeys resource)
    stack.session.client("secretsmanager").put_secret_value(
        SecretId=stack.local.physical["SigningKeySecret"],
        SecretString=json.dumps({"current": None, "previous": None}),
    )
    # when
    token, jwks = token_with_basic(stack), stack.call(JWKS, method="GET")
    # then
    oauth_error(token, 503, "temporarily_unavailable")
    assert token.header("Retry-After")
    assert jwks.status == 503
    assert jwks.header("Content-Type") == "application/problem+json"
    assert jwks.json["status"] == 503
