"""JSON request bodies, read the same way by both APIs: size, content type, strict JSON, one object; and
pydantic's validation errors as one sentence a caller can act on."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fashionos.errors import InvalidRequest, PayloadTooLarge

if TYPE_CHECKING:
    from pydantic import ValidationError

MAX_BODY_BYTES = 16 * 1024


def json_object(data: bytes, content_type: str | None, *, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The JSON object ``data`` holds: ``PayloadTooLarge`` over ``max_bytes``, else ``InvalidRequest``
    for another content type, invalid JSON (``NaN`` and ``Infinity`` included) or anything but an object."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"Request body must not exceed {max_bytes // 1024} KB")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise InvalidRequest("Content-Type must be application/json")
    try:
        body = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than the parser goes
        raise InvalidRequest("Request body is not valid JSON") from error
    if not isinstance(body, dict):
        raise InvalidRequest("Request body must be a JSON object")
    return body


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def describe_validation_error(error: ValidationError) -> str:
    """One clear sentence that names the field: an unknown field first, else pydantic's first error."""
    problems = error.errors()
    first = next((p for p in problems if p["type"] == "extra_forbidden"), problems[0])
    field = ".".join(str(part) for part in first["loc"])
    kind = first["type"]
    if kind == "missing":
        return f"Missing required field: {field}"
    if kind == "extra_forbidden":
        return f"Unknown field: {field}"
    if not field:  # a model-level rule, e.g. "user_id or api_key"
        return str(first["msg"]).removeprefix("Value error, ")
    return f"Invalid field '{field}': {first['msg']}"
