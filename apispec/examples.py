"""The documents' response examples: real responses of a local stack to a fixed walk through both APIs,
with what differs from run to run (ids, times, secrets, tokens, request ids) replaced by stable stand-ins.

``python -m apispec.examples --base-url URL --credentials .dev/credentials.json`` records them into
``layers/fashionos/apidocs/examples.json`` (then ``make openapi``); tests/e2e/test_examples.py records them
against the test stack and checks the committed ones are what the stack answers now.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

EXAMPLES = Path(__file__).resolve().parent.parent / "layers" / "fashionos" / "apidocs" / "examples.json"
_ID = re.compile(r"\b([a-z]{2,4})_([0-9A-HJKMNP-TV-Z]{26})\b")
_TIME = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\b")
_SECRETS = {"secret", "access_token", "client_secret", "client_id", "kid", "n"}  # and random per stack
BASE_URL = "http://127.0.0.1:3000"  # make dev's
Call = Callable[..., requests.Response]


class Normaliser:
    """Replaces each distinct id with ``<prefix>_01JEXAMP...<n>`` (the same id, the same stand-in), every
    RFC 3339 time with one time, the stack's URL with make dev's, and secrets, tokens and keys with a fixed
    mark."""

    def __init__(self, base_url: str) -> None:
        self._ids: dict[str, str] = {}
        self._base_url = base_url

    def __call__(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self(item, key) for item in value]
        if isinstance(value, str):
            if key in _SECRETS:
                return f"<{key}>"
            if key == "request_id":
                return "3f1c2a9e-0b7d-4c1e-9a55-8d2f6e4b7c10"
            value = _ID.sub(self._id, value.replace(self._base_url, BASE_URL))
            return _TIME.sub("2026-01-31T12:00:00Z", value)
        return value

    def _id(self, match: re.Match[str]) -> str:
        found = match.group(0)
        if found not in self._ids:
            number = str(len(self._ids) + 1)
            self._ids[found] = f"{match.group(1)}_01JEXAMP{number.rjust(18, '0')}"
        return self._ids[found]


def record(base_url: str, credentials: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{operationId: {status: body}}`` for the walk, normalised."""
    session = requests.Session()
    session.trust_env = False
    token = session.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials["client_id"], credentials["client_secret"]),
        timeout=30,
    )
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    sf, sku = credentials["storefront_id"], credentials["sku"]
    handshake = credentials["handshake"]
    walk: list[tuple[str, str, str, dict[str, Any] | None, dict[str, str]]] = [
        ("getMe", "GET", "/v1/me", None, bearer),
        ("listStorefronts", "GET", "/v1/storefronts", None, bearer),
        ("getStorefront", "GET", f"/v1/storefronts/{sf}", None, bearer),
        ("listProducts", "GET", f"/v1/storefronts/{sf}/products?status=active", None, bearer),
        ("getProduct", "GET", f"/v1/storefronts/{sf}/products/{credentials['product_id']}", None, bearer),
        ("listInventory", "GET", f"/v1/inventory?storefrontId={sf}", None, bearer),
        ("listInventoryAdjustments", "GET", f"/v1/inventory/{sf}/{sku}/adjustments", None, bearer),
        ("getStorefront", "GET", "/v1/storefronts/sf_" + "0" * 26, None, bearer),  # nobody's: 404
        ("listOrders", "GET", "/v1/orders?status=cancelled", None, bearer),
        ("listWebhooks", "GET", "/v1/webhooks", None, bearer),
        (
            "increaseTryonUsage",
            "POST",
            "/api/v1/integration/increase-tryon-usage-count",
            {"handshake": handshake, "type": "AR", "count": 1, "user_id": credentials["user_id"]},
            {},
        ),
        (
            "increaseTryonUsage",
            "POST",
            "/api/v1/integration/increase-tryon-usage-count",
            {"handshake": "wrong", "type": "AR", "count": 1, "user_id": credentials["user_id"]},
            {},
        ),
        ("jwks", "GET", "/.well-known/jwks.json", None, {}),
        ("authServerMetadata", "GET", "/.well-known/oauth-authorization-server", None, {}),
    ]
    normalise = Normaliser(base_url)
    examples: dict[str, dict[str, Any]] = {"token": {str(token.status_code): normalise(token.json())}}
    for operation_id, method, path, body, headers in walk:
        reply = session.request(method, base_url + path, json=body, headers=headers, timeout=30)
        examples.setdefault(operation_id, {})[str(reply.status_code)] = normalise(reply.json())
    return examples


def load() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads(EXAMPLES.read_text()) if EXAMPLES.exists() else {}
    return loaded


def render(examples: dict[str, dict[str, Any]]) -> str:
    return json.dumps(examples, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apispec.examples", description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:3000")
    parser.add_argument("--credentials", type=Path, default=Path(".dev/credentials.json"))
    args = parser.parse_args(argv)
    EXAMPLES.write_text(render(record(args.base_url, json.loads(args.credentials.read_text()))))
    print(f"wrote {EXAMPLES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
