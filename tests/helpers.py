"""Shared test helpers: calling the API through the dev gateway, and what the table holds."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TRYON = "/api/v1/integration/increase-tryon-usage-count"
API_KEY_USAGE = "/api/v1/integration/increase-api-key-usage-count"
PRODUCTS = "/api/v1/integration/set-user-product-number"
ENDPOINTS = (TRYON, API_KEY_USAGE, PRODUCTS)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return {k.lower(): v for k, v in self.headers.items()}.get(name.lower())


PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "request_id"}


def problem(reply: Reply, status: int) -> dict[str, Any]:
    """An RFC 9457 problem document (the Partner API's errors) with ``status``."""
    assert reply.status == status, reply.text
    assert reply.header("Content-Type") == "application/problem+json"
    body: dict[str, Any] = reply.json
    assert set(body) <= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["request_id"] == reply.header("X-Request-Id")
    # A problem with a code has a type of its own; the others are about:blank (the status says it all).
    assert body["type"] == (
        f"https://docs.fashionos.dev/problems/{body['code']}" if "code" in body else "about:blank"
    )
    return body


def oauth_error(reply: Reply, status: int, error: str) -> dict[str, Any]:
    """An RFC 6749 error (the OAuth endpoints') with ``status`` and ``error``."""
    assert reply.status == status, reply.text
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("X-Request-Id")
    body: dict[str, Any] = reply.json
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    return body


def integration_error(reply: Reply, status: int) -> str:
    """The Integration API's ``{"success": false, "error"}`` with ``status``; the error message."""
    assert reply.status == status, reply.text
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("X-Request-Id")
    body = reply.json
    assert set(body) == {"success", "error"}
    assert body["success"] is False
    assert isinstance(body["error"], str)
    assert body["error"]
    return body["error"]


def basic(client_id: str, secret: str) -> dict[str, str]:
    """HTTP Basic client authentication (client_secret_basic)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def business_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every item but rate-limit windows (which count refused requests too, by design)."""
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items += [item for item in page["Items"] if not item["pk"]["S"].startswith("RATE#")]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


# --- hand-built JWTs (so that an attack token is exactly what the test says, whatever PyJWT allows) ----
def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def sign(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"
