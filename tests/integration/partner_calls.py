"""Calling the Partner API in integration tests (shared by their test modules): its routes as the demo org
(or another key's), a success read, and the OAuth endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fashionos.identity.tokens import TokenVerifier
from tests.helpers import Reply, basic
from tests.integration.conftest import ISSUER, InProcessApi

TOKEN = "/oauth/token"
JWKS = "/.well-known/jwks.json"
METADATA = "/.well-known/oauth-authorization-server"
AUDIENCE = "fashionos-partner-api"
FORM = "application/x-www-form-urlencoded"


def call(
    stack: InProcessApi,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = None,
    raw: bytes | None = None,
    **headers: str,
) -> Reply:
    """A request with the demo org's sandbox key (or ``key``); ``headers`` as keywords, ``_`` for ``-``
    (``Idempotency_Key="k"``, or ``**{"Content-Type": ...}``)."""
    sent = {"X-Api-Key": key or stack.demo["sandbox_api_key"]}
    sent.update({name.replace("_", "-"): value for name, value in headers.items()})
    return stack.call(path, body, method=method, headers=sent, raw=raw)


def ok(reply: Reply, status: int = 200) -> Any:
    """A success of ``status``, as every ``/v1`` route answers one: JSON, not to be cached, with the
    request's id and the caller's rate limit; its body."""
    assert reply.status == status, reply.text
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("X-Request-Id")
    assert reply.header("RateLimit")
    return reply.json


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
