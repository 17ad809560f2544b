"""The path and query parameters of the try-on routes, declared once for every route that takes them."""

from __future__ import annotations

from typing import get_args

from fashionos.contract import Param, id_param
from fashionos.events.params import DATE_TIME_SCHEMA
from fashionos.ids import ID_BODY
from fashionos.tryon.views import SessionStatus

SESSION_ID = id_param("session_id", "tos", "try-on session")
SESSION_CURSOR = f"tos_{ID_BODY}"  # service.SESSION_ID
SESSION_FILTERS = (
    Param(
        "product_id",
        "Only sessions of this product (an empty page for an id no product has)",
        {"type": "string"},
    ),
    Param(
        "status", "Only sessions in this status", {"type": "string", "enum": list(get_args(SessionStatus))}
    ),
    Param(
        "since", "Only sessions started at or after this time (RFC 3339 with its offset)", DATE_TIME_SCHEMA
    ),
    Param(
        "until", "Only sessions started at or before this time (RFC 3339 with its offset)", DATE_TIME_SCHEMA
    ),
)
