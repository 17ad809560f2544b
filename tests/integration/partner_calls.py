"""Calling the Partner API's OAuth endpoints in integration tests (shared by their test modules)."""

from __future__ import annotations

from urllib.parse import urlencode

from fashionos.identity.tokens import TokenVerifier
from tests.helpers import Reply, basic
from tests.integration.conftest import ISSUER, InProcessApi

TOKEN = "/oauth/token"
JWKS = "/.well-known/jwks.json"
METADATA = "/.well-known/oauth-authorization-server"
AUDIENCE = "fashionos-partner-api"
FORM = "application/x-www-form-urlencoded"


def form(stack: InProcessApi, fields: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
    raw = urlencode(fields).encode()
    return stack.call(TOKEN, headers={"Content-Type": FORM, **(headers or {})}, raw=raw)


def token_with_basic(stack: InProcessApi, **fields: str) -> Reply:
    demo = stack.demo
    return form(
        stack,
        {"grant_type": "client_credentials", **fields},
        basic(demo["client_id"], demo["client_secret"]),
    )


def verifier(stack: InProcessApi) -> TokenVerifier:
    return TokenVerifier(ISSUER, AUDIENCE, stack.signing_keys())
