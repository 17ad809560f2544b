"""Every bad input: the documented status, the API's error shape, and nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import API_KEY_USAGE, ENDPOINTS, PRODUCTS, TRYON
from tests.integration.conftest import InProcessApi


def refused(stack: InProcessApi, status: int, *args: Any, **kwargs: Any) -> str:
    """Call, check the refusal's shape and that nothing was written; return the error message."""
    before = stack.items()
    reply = stack.call(*args, **kwargs)
    assert reply.status == status, reply.text
    body = reply.json
    assert set(body) == {"success", "error"}
    assert body["success"] is False
    assert isinstance(body["error"], str)
    assert body["error"]
    assert reply.header("X-Request-Id")
    assert reply.header("Content-Type") == "application/json"
    assert stack.items() == before
    return str(body["error"])


def tryon(stack: InProcessApi, **fields: Any) -> dict[str, Any]:
    return {
        "handshake": stack.demo["handshake"],
        "type": "AR",
        "count": 1,
        "user_id": stack.demo["user_id"],
        **fields,
    }


@pytest.mark.parametrize("count", [True, 1.5, 1.01, "5", 0, -1, 0.0, 1_000_001, 1e300, None, [1], {"n": 1}])
def test_count_must_be_a_json_integer_from_1_to_a_million(stack: InProcessApi, count: Any) -> None:
    assert "count" in refused(stack, 400, TRYON, tryon(stack, count=count))
    body = {"handshake": stack.demo["handshake"], "api_key": stack.demo["api_key"], "count": count}
    assert "count" in refused(stack, 400, API_KEY_USAGE, body)


def test_an_integral_json_number_is_the_integer_json_schema_says_it_is(stack: InProcessApi) -> None:
    assert stack.call(TRYON, tryon(stack, count=3.0)).status == 200
    assert stack.call(TRYON, tryon(stack, count=2e0)).status == 200


def test_the_largest_count_is_accepted(stack: InProcessApi) -> None:
    assert stack.call(TRYON, tryon(stack, count=1_000_000)).status == 200


@pytest.mark.parametrize("value", [-1, 1.5, "5", True, None])
def test_product_value_must_be_a_non_negative_integer(stack: InProcessApi, value: Any) -> None:
    body = {"handshake": stack.demo["handshake"], "user_id": stack.demo["user_id"], "value": value}
    assert "value" in refused(stack, 400, PRODUCTS, body)


@pytest.mark.parametrize("kind", ["ar", "VR", "", 1, None])
def test_type_must_be_exactly_ar_or_ai(stack: InProcessApi, kind: Any) -> None:
    assert "type" in refused(stack, 400, TRYON, tryon(stack, type=kind))


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (TRYON, "type"),
        (TRYON, "count"),
        (API_KEY_USAGE, "api_key"),
        (API_KEY_USAGE, "count"),
        (PRODUCTS, "user_id"),
    ],
)
def test_missing_fields_are_named(stack: InProcessApi, path: str, field: str) -> None:
    body = {
        TRYON: tryon(stack),
        API_KEY_USAGE: {"handshake": stack.demo["handshake"], "api_key": stack.demo["api_key"], "count": 1},
        PRODUCTS: {"handshake": stack.demo["handshake"], "user_id": stack.demo["user_id"], "value": 1},
    }[path]
    del body[field]
    assert refused(stack, 400, path, body) == f"Missing required field: {field}"


def test_a_tryon_needs_a_user_id_or_an_api_key(stack: InProcessApi) -> None:
    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 1}
    assert "user_id" in refused(stack, 400, TRYON, body)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_unknown_fields_are_rejected(stack: InProcessApi, path: str) -> None:
    body = {"handshake": stack.demo["handshake"], "surprise": 1}
    assert refused(stack, 400, path, body) == "Unknown field: surprise"


def test_unknown_field_named_even_when_the_rest_is_valid(stack: InProcessApi) -> None:
    assert refused(stack, 400, TRYON, tryon(stack, surprise=1)) == "Unknown field: surprise"


@pytest.mark.parametrize("user_id", ["", "x" * 129, "has space", 12])
def test_user_id_must_be_a_sane_string(stack: InProcessApi, user_id: Any) -> None:
    assert "user_id" in refused(stack, 400, TRYON, tryon(stack, user_id=user_id))


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"count": NaN}', b'{"count": Infinity}', b"[" * 16_000])
def test_invalid_json(stack: InProcessApi, raw: bytes) -> None:
    assert refused(stack, 400, TRYON, raw=raw) == "Request body is not valid JSON"


def test_a_body_that_is_not_utf8_is_refused(stack: InProcessApi) -> None:
    assert refused(stack, 400, TRYON, raw=b"\xff\xfe") == "Request body must be JSON in UTF-8"


@pytest.mark.parametrize("body", [[1, 2], "text", 42, None])
def test_body_must_be_a_json_object(stack: InProcessApi, body: Any) -> None:
    assert refused(stack, 400, TRYON, raw=json.dumps(body).encode()) == "Request body must be a JSON object"


def test_empty_body(stack: InProcessApi) -> None:
    assert refused(stack, 400, TRYON, raw=b"") == "Request body is not valid JSON"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_content_type_must_be_json(stack: InProcessApi, content_type: str) -> None:
    error = refused(stack, 400, TRYON, tryon(stack), headers={"Content-Type": content_type})
    assert error == "Content-Type must be application/json"


def test_content_type_with_charset_is_json(stack: InProcessApi) -> None:
    reply = stack.call(TRYON, tryon(stack), headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status == 200


def test_bodies_over_16_kb_are_too_large(stack: InProcessApi) -> None:
    body = json.dumps(tryon(stack, padding="x" * 16_400)).encode()
    assert refused(stack, 413, TRYON, raw=body) == "Request body must not exceed 16 KB"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_only_post_is_allowed(stack: InProcessApi, method: str, path: str) -> None:
    before = stack.items()
    reply = stack.call(path, method=method)
    assert reply.status == 405
    assert reply.header("Allow") == "POST"
    assert reply.json == {"success": False, "error": f"Method {method} not allowed; use POST"}
    assert stack.items() == before


def test_unknown_paths_are_404_in_the_same_format(stack: InProcessApi) -> None:
    assert refused(stack, 404, "/api/v1/integration/nope", tryon(stack)) == "Not found"
    # "/" and other paths outside /api/v1/integration belong to the Partner API (test_partner_api.py)


@pytest.mark.parametrize("handshake", [None, "", "wrong", 123, ["x"]])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_missing_or_wrong_handshake_is_401(stack: InProcessApi, path: str, handshake: Any) -> None:
    body = tryon(stack)
    if handshake is None:
        del body["handshake"]
    else:
        body["handshake"] = handshake
    assert refused(stack, 401, path, body) in ("Missing handshake token", "Invalid handshake token")


def test_a_handshake_that_only_shares_a_prefix_is_wrong(stack: InProcessApi) -> None:
    assert (
        refused(stack, 401, TRYON, tryon(stack, handshake=stack.demo["handshake"][:-1]))
        == "Invalid handshake token"
    )


@pytest.mark.parametrize("path", [TRYON, API_KEY_USAGE])
@pytest.mark.parametrize(
    "api_key",
    ["footwear_unknown", "footwear_" + "A" * 44, "nothing-like-a-key"],
)
def test_unknown_api_keys_are_403(stack: InProcessApi, path: str, api_key: str) -> None:
    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 1, "api_key": api_key}
    if path == API_KEY_USAGE:
        del body["type"]
    assert refused(stack, 403, path, body) == "API key not found"


def test_a_known_key_id_with_a_wrong_secret_is_unknown(stack: InProcessApi) -> None:
    forged = stack.demo["api_key"][:-4] + "abcd"
    body = {"handshake": stack.demo["handshake"], "count": 1, "api_key": forged}
    assert refused(stack, 403, API_KEY_USAGE, body) == "API key not found"


@pytest.mark.parametrize("path", [TRYON, API_KEY_USAGE])
def test_inactive_api_keys_are_403(stack: InProcessApi, path: str) -> None:
    body = {"handshake": stack.demo["handshake"], "count": 1, "api_key": stack.demo["inactive_api_key"]}
    if path == TRYON:
        body["type"] = "AI"
    assert refused(stack, 403, path, body) == "API key is inactive"


@pytest.mark.parametrize("path", [TRYON, API_KEY_USAGE])
@pytest.mark.parametrize("user_id", ["other_user_id", "unknown"])
def test_someone_elses_key_is_403_and_counts_nothing(stack: InProcessApi, path: str, user_id: str) -> None:
    body = {
        "handshake": stack.demo["handshake"],
        "count": 1,
        "api_key": stack.demo["api_key"],
        "user_id": stack.demo.get(user_id, "usr_does_not_exist"),
    }
    if path == TRYON:
        body["type"] = "AR"
    assert refused(stack, 403, path, body) == "API key does not belong to this user"


@pytest.mark.parametrize("path", [TRYON, PRODUCTS])
def test_an_unknown_user_is_404(stack: InProcessApi, path: str) -> None:
    body = {"handshake": stack.demo["handshake"], "user_id": "usr_nobody"}
    body |= {"type": "AR", "count": 1} if path == TRYON else {"value": 3}
    assert refused(stack, 404, path, body) == "User not found"


def test_rate_limit_per_source_ip_answers_429_with_retry_after(
    stack: InProcessApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a limit of 3 requests a minute, and a clock that stays 10 s into one window
    from types import SimpleNamespace

    from fashionos import ratelimit
    from fashionos.percontainer import reset_all

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_010.0))
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    reset_all()  # a new container reads the new limit
    for _ in range(3):
        assert stack.call(TRYON, tryon(stack), source_ip="198.51.100.1").status == 200
    # when
    before = stack.items()
    reply = stack.call(TRYON, tryon(stack), source_ip="198.51.100.1")
    # then
    assert reply.status == 429
    assert reply.json == {"success": False, "error": "Too many requests"}
    assert reply.header("Retry-After") == "50"
    assert stack.items() == before
    # and another address is not affected
    assert stack.call(TRYON, tryon(stack), source_ip="198.51.100.2").status == 200
