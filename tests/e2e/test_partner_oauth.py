"""The Partner API's OAuth endpoints over real HTTP, with a real OAuth 2.0 client (Authlib on httpx) and
PyJWT's JWKS client, as a partner would integrate."""

from __future__ import annotations

import warnings

import jwt
import pytest
from authlib.deprecate import AuthlibDeprecationWarning

from fashionos.identity.partner_models import KNOWN_SCOPES
from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, http

# Authlib's httpx client warns that it prefers the httpx2 fork (installing an "always" filter of its own,
# so pytest's filterwarnings cannot hide it); plain httpx works.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

pytestmark = E2E

AUDIENCE = "fashionos-partner-api"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_credentials_then_verify_with_the_jwks(stack: DevStack, method: str) -> None:
    # given: the metadata document names the endpoints (RFC 8414)
    with http() as session:
        metadata = session.get(
            stack.url("/.well-known/oauth-authorization-server"), timeout=REQUEST_TIMEOUT
        ).json()
    assert metadata["issuer"] == stack.base_url
    assert method in metadata["token_endpoint_auth_methods_supported"]
    # when
    with OAuth2Client(
        stack.credentials["client_id"],
        stack.credentials["client_secret"],
        token_endpoint_auth_method=method,
        trust_env=False,
        timeout=REQUEST_TIMEOUT,
    ) as client:
        token = client.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    # then
    assert token["token_type"] == "Bearer"
    assert set(token["scope"].split()) == KNOWN_SCOPES
    access_token = token["access_token"]
    signing_key = jwt.PyJWKClient(metadata["jwks_uri"]).get_signing_key_from_jwt(access_token)
    claims = jwt.decode(
        access_token, signing_key, algorithms=["RS256"], audience=AUDIENCE, issuer=stack.base_url
    )
    assert claims["client_id"] == stack.credentials["client_id"]
    assert claims["sub"] == stack.credentials["client_id"]
    assert set(claims["scope"].split()) == KNOWN_SCOPES


def test_the_limited_client_gets_only_profile_read(stack: DevStack) -> None:
    with OAuth2Client(
        stack.credentials["limited_client_id"],
        stack.credentials["limited_client_secret"],
        trust_env=False,
        timeout=REQUEST_TIMEOUT,
    ) as client:
        token = client.fetch_token(stack.url("/oauth/token"), grant_type="client_credentials")
    assert token["scope"] == "profile:read"


def test_the_readme_curl_flow(stack: DevStack) -> None:
    """`curl -u $client_id:$client_secret -d grant_type=client_credentials $base/oauth/token`"""
    auth = (stack.credentials["client_id"], stack.credentials["client_secret"])
    with http() as session:
        reply = session.post(
            stack.url("/oauth/token"),
            auth=auth,
            data={"grant_type": "client_credentials"},
            timeout=REQUEST_TIMEOUT,
        )
    assert reply.status_code == 200, reply.text
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Request-Id"]
