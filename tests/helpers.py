"""Shared test helpers: calling the API through the dev gateway, and what the table holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

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


def business_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every item but rate-limit windows (which count refused requests too, by design)."""
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items += [item for item in page["Items"] if not item["pk"]["S"].startswith("RATE#")]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))
