"""CORS for the Integration API: only https://wearfits.com and its subdomains."""

from __future__ import annotations

import re

_ALLOWED_ORIGIN = re.compile(r"^https://([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*wearfits\.com$")
ALLOWED_HEADERS = "Content-Type, Idempotency-Key, X-Request-Id"


def cors_headers(origin: str | None) -> dict[str, str]:
    """Headers for a response to ``origin``: no ``Access-Control-Allow-Origin`` for an origin we do not allow.

    ``Vary: Origin`` always, so a cache never serves one origin's answer to another.
    """
    if origin is None or not _ALLOWED_ORIGIN.fullmatch(origin.lower()):
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def preflight_headers(origin: str | None, methods: str) -> dict[str, str]:
    headers = cors_headers(origin)
    if "Access-Control-Allow-Origin" in headers:
        headers |= {
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Expose-Headers": "X-Request-Id, Retry-After, Idempotent-Replayed",
            "Access-Control-Max-Age": "600",
        }
    return headers
