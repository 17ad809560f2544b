"""JSON request bodies, read the same way by both APIs (and the OAuth endpoints' JSON bodies): size,
content type, strict JSON, one object; and pydantic's validation errors as one sentence a caller can act on.

Strict means RFC 8259 and nothing a component in front of us might read differently: UTF-8 only (no byte
order mark, no UTF-16 or UTF-32), no key twice in one object (a proxy that reads the first value would see
another request than the one we count), no ``NaN`` or ``Infinity``, and no string that is not Unicode (a lone
surrogate such as ``"\\ud800"`` can be neither hashed, compared, stored nor logged).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import TYPE_CHECKING, Any

from fashionos.errors import InvalidRequest, PayloadTooLarge

if TYPE_CHECKING:
    from pydantic import ValidationError

MAX_BODY_BYTES = 16 * 1024
UTF8_ONLY = "Request body must be JSON in UTF-8"
_SHOWN_KEY = re.compile(r"[\x21-\x7e]{1,64}")  # a key safe to repeat in an error message


class _Refused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_json(data: bytes) -> Any:
    """The JSON value ``data`` holds; ``InvalidRequest`` (saying why) for anything but strict JSON."""
    if data.startswith(codecs.BOM_UTF8):
        raise InvalidRequest("Request body must not start with a byte order mark")
    if b"\x00" in data:  # never in JSON: it is how UTF-16 and UTF-32 text looks to a UTF-8 decoder
        raise InvalidRequest(UTF8_ONLY)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(UTF8_ONLY) from None
    try:
        value = json.loads(
            text, object_pairs_hook=_object, parse_constant=_reject_constant, parse_float=_finite
        )
    except _Refused as refused:
        raise InvalidRequest(refused.message) from None
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise InvalidRequest("Request body is not valid JSON") from None
    if "\\u" in text:  # a lone surrogate can only come from an escape
        _refuse_surrogates(value)
    return value


def json_object(data: bytes, content_type: str | None, *, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The JSON object ``data`` holds: ``PayloadTooLarge`` over ``max_bytes``, else ``InvalidRequest``
    for another content type, anything but strict JSON (see ``parse_json``) or anything but an object."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"Request body must not exceed {max_bytes // 1024} KB")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise InvalidRequest("Content-Type must be application/json")
    body = parse_json(data)
    if not isinstance(body, dict):
        raise InvalidRequest("Request body must be a JSON object")
    return body


def is_unicode(text: str) -> bool:
    """Whether ``text`` can be encoded (holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            message = "Request body has a repeated key in one object"
            raise _Refused(f"{message}: {key}" if _SHOWN_KEY.fullmatch(key) else message)
        value[key] = item
    return value


def _refuse_surrogates(value: Any) -> None:
    strings = [value] if isinstance(value, str) else []
    if isinstance(value, dict):
        strings = list(value)
        for item in value.values():
            _refuse_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_surrogates(item)
    if not all(is_unicode(string) for string in strings):
        raise InvalidRequest("Request body has a string that is not valid Unicode (a lone surrogate)")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: a number no JSON writer can write back
        raise ValueError(f"{text} does not fit a double")
    return value


# What pydantic adds to an error's location inside a union (``rights.RightsInput.owner``): the member's
# model name or validator tag, never a field of ours (fields are snake_case).
_UNION_MEMBER = re.compile(r"[A-Z][A-Za-z0-9]*|[a-z-]+\[.*\]")
# A pattern longer than this says less to a reader than the field's description in the API reference does.
MAX_SHOWN_PATTERN = 40


def describe_validation_error(error: ValidationError) -> str:
    """One clear sentence that names the field: an unknown field first, else pydantic's first error."""
    problems = error.errors()
    first = next((p for p in problems if p["type"] == "extra_forbidden"), problems[0])
    field = ".".join(str(part) for part in first["loc"] if not _UNION_MEMBER.fullmatch(str(part)))
    kind = first["type"]
    if kind == "missing":
        return f"Missing required field: {field}"
    if kind == "extra_forbidden":
        return f"Unknown field: {field}"
    if not field:  # a model-level rule, e.g. "user_id or api_key"
        return str(first["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and len(str(first["ctx"]["pattern"])) > MAX_SHOWN_PATTERN:
        return f"Invalid field '{field}': not of the form the API reference gives for it"
    return f"Invalid field '{field}': {first['msg']}"
