"""Text no component should read two ways: a 4xx in each API's own format, and nothing written.

One JSON parser serves both APIs (``fashionos.jsonbody``) and refuses what RFC 8259 does not allow or what
another reader might take differently: a key twice in one object (a proxy reading the first value would see
another request than the one we count), UTF-16, UTF-32 and byte-order marks, and strings that are not
Unicode (a lone surrogate escape, ``"\\ud800"``, which crashed hashing and comparing with a 500). The
strings of the event itself (headers, query and path parameters) are checked before anything reads them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from devserver.gateway import LambdaContext
from tests.helpers import (
    API_KEY_USAGE,
    PRODUCTS,
    TRYON,
    Reply,
    basic,
    business_items,
    integration_error,
    oauth_error,
    problem,
)
from tests.integration.conftest import InProcessApi

LONE = "\ud800"  # half of a surrogate pair: not a Unicode character
ESCAPED = '"\\ud800"'  # how JSON spells it
WEBHOOKS = "/v1/webhooks"


def everything(stack: InProcessApi) -> list[dict[str, Any]]:
    """Every item of every table but the rate windows (which count refused requests too, by design)."""
    client = stack.session.client("dynamodb")
    return [item for table in client.list_tables()["TableNames"] for item in business_items(client, table)]


def writes_nothing(stack: InProcessApi, act: Callable[[], Reply]) -> Reply:
    before = everything(stack)
    reply = act()
    assert everything(stack) == before
    return reply


def with_surrogate(body: dict[str, Any], field: str) -> bytes:
    """``body`` as JSON with ``field`` (a value, or with ``key:`` a new key) holding a lone surrogate."""
    if field.startswith("key:"):
        text = json.dumps(body)[:-1] + f", {ESCAPED}: 1}}"
    else:
        marker = "\u0001marker\u0001"
        value = body[field]
        body = {**body, field: [marker] if isinstance(value, list) else marker}
        text = json.dumps(body).replace(json.dumps(marker), ESCAPED)
    assert "\\ud800" in text
    return text.encode()


def repeated(body: dict[str, Any], field: str, value: Any) -> bytes:
    """``body`` as JSON with ``field`` sent twice, ``value`` second (what a last-wins parser would take)."""
    return (json.dumps(body)[:-1] + f", {json.dumps(field)}: {json.dumps(value)}}}").encode()


def encodings(body: dict[str, Any]) -> list[bytes]:
    text = json.dumps(body)
    return [
        text.encode("utf-16"),
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        text.encode("utf-32"),
        text.encode("utf-32-le"),
        text.encode("utf-8-sig"),  # a UTF-8 byte order mark
    ]


# --- the Integration API ---------------------------------------------------------------------------
def integration_bodies(stack: InProcessApi) -> dict[str, dict[str, Any]]:
    demo = stack.demo
    return {
        TRYON: {
            "handshake": demo["handshake"],
            "type": "AR",
            "count": 1,
            "api_key": demo["api_key"],
            "user_id": demo["user_id"],
        },
        API_KEY_USAGE: {
            "handshake": demo["handshake"],
            "api_key": demo["api_key"],
            "count": 1,
            "user_id": demo["user_id"],
        },
        PRODUCTS: {"handshake": demo["handshake"], "user_id": demo["user_id"], "value": 5},
    }


INTEGRATION_FIELDS = [
    (TRYON, "handshake"),
    (TRYON, "type"),
    (TRYON, "api_key"),
    (TRYON, "user_id"),
    (TRYON, "key:"),
    (API_KEY_USAGE, "handshake"),
    (API_KEY_USAGE, "api_key"),
    (API_KEY_USAGE, "user_id"),
    (PRODUCTS, "handshake"),
    (PRODUCTS, "user_id"),
]


@pytest.mark.parametrize(("path", "field"), INTEGRATION_FIELDS)
@pytest.mark.parametrize("idempotency_key", [None, "retry-1"])
def test_integration_a_lone_surrogate_in_any_string_is_400(
    stack: InProcessApi, path: str, field: str, idempotency_key: str | None
) -> None:
    raw = with_surrogate(integration_bodies(stack)[path], field)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    reply = writes_nothing(stack, lambda: stack.call(path, raw=raw, headers=headers))
    assert "not valid Unicode" in integration_error(reply, 400)


@pytest.mark.parametrize(
    ("field", "value"), [("count", 1_000_000), ("user_id", "usr_other"), ("handshake", "x")]
)
def test_integration_a_key_sent_twice_is_400_whichever_value_a_reader_would_take(
    stack: InProcessApi, field: str, value: Any
) -> None:
    raw = repeated(integration_bodies(stack)[TRYON], field, value)
    reply = writes_nothing(stack, lambda: stack.call(TRYON, raw=raw))
    assert integration_error(reply, 400) == f"Request body has a repeated key in one object: {field}"


def test_integration_a_key_sent_twice_in_a_nested_object_is_400(stack: InProcessApi) -> None:
    raw = repeated(integration_bodies(stack)[TRYON], "extra", {"a": 1})[:-2] + b', "a": 2}}'
    assert "repeated key" in integration_error(writes_nothing(stack, lambda: stack.call(TRYON, raw=raw)), 400)


@pytest.mark.parametrize("path", [TRYON, API_KEY_USAGE, PRODUCTS])
def test_integration_json_that_is_not_utf8_is_400(stack: InProcessApi, path: str) -> None:
    for raw in encodings(integration_bodies(stack)[path]):
        message = integration_error(writes_nothing(stack, lambda raw=raw: stack.call(path, raw=raw)), 400)
        assert message in (
            "Request body must be JSON in UTF-8",
            "Request body must not start with a byte order mark",
        )


def direct(
    stack: InProcessApi,
    function: str,
    path: str,
    *,
    body: str = "",
    headers: dict[str, str],
    method: str = "POST",
    authorizer: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> Reply:
    """An event no HTTP request can make (its strings are JSON, so they may be lone surrogates), handed
    to the function as API Gateway would hand a request."""
    context: dict[str, Any] = {
        "requestId": "r-text",
        "stage": "sandbox",
        "domainName": "partner.test",
        "identity": {"sourceIp": "203.0.113.77"},
    }
    if authorizer:
        context["authorizer"] = authorizer
    event = {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "body": body or None,
        "isBase64Encoded": False,
        "requestContext": context,
        "queryStringParameters": query,
        "pathParameters": path_parameters,
    }
    result = stack.functions.handler(function)(event, LambdaContext(function, "r-text"))
    return Reply(result["statusCode"], result["headers"], result["body"])


def test_integration_a_text_body_holding_a_lone_surrogate_is_400(stack: InProcessApi) -> None:
    body = json.dumps(integration_bodies(stack)[TRYON]).replace(stack.demo["user_id"], f"usr_{LONE}")
    reply = writes_nothing(
        stack,
        lambda: direct(
            stack,
            "IncreaseTryonUsageFunction",
            TRYON,
            body=body,
            headers={"Content-Type": "application/json"},
        ),
    )
    assert "UTF-8" in integration_error(reply, 400)


@pytest.mark.parametrize("header", ["Idempotency-Key", "Origin", "Content-Type", "X-Anything"])
def test_integration_a_header_that_is_not_unicode_is_400(stack: InProcessApi, header: str) -> None:
    headers = {"Content-Type": "application/json", header: f"value-{LONE}"}
    body = json.dumps(integration_bodies(stack)[TRYON])
    reply = writes_nothing(
        stack, lambda: direct(stack, "IncreaseTryonUsageFunction", TRYON, body=body, headers=headers)
    )
    assert integration_error(reply, 400) == "A header of the request is not valid Unicode"


# --- the OAuth endpoints -------------------------------------------------------------------------------
def oauth_bodies(stack: InProcessApi) -> dict[str, dict[str, Any]]:
    demo = stack.demo
    client = {"client_id": demo["client_id"], "client_secret": demo["client_secret"]}
    return {
        "/oauth/token": {"grant_type": "client_credentials", "scope": "profile:read", **client},
        "/oauth/introspect": {"token": "t", "token_type_hint": "access_token", **client},
        "/oauth/revoke": {"token": "t", "token_type_hint": "access_token", **client},
    }


OAUTH_FIELDS = [
    ("/oauth/token", "grant_type"),
    ("/oauth/token", "client_id"),
    ("/oauth/token", "client_secret"),
    ("/oauth/token", "scope"),
    ("/oauth/token", "key:"),
    ("/oauth/introspect", "token"),
    ("/oauth/introspect", "token_type_hint"),
    ("/oauth/introspect", "client_id"),
    ("/oauth/introspect", "client_secret"),
    ("/oauth/revoke", "token"),
    ("/oauth/revoke", "client_secret"),
]


@pytest.mark.parametrize(("path", "field"), OAUTH_FIELDS)
def test_oauth_a_lone_surrogate_in_any_parameter_is_invalid_request(
    stack: InProcessApi, path: str, field: str
) -> None:
    raw = with_surrogate(oauth_bodies(stack)[path], field)
    reply = writes_nothing(stack, lambda: stack.call(path, raw=raw))
    assert "not valid Unicode" in oauth_error(reply, 400, "invalid_request")["error_description"]


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/introspect", "/oauth/revoke"])
@pytest.mark.parametrize("field", ["client_id", "client_secret", "resource"])  # resource: not one of ours
def test_oauth_a_key_sent_twice_in_json_is_invalid_request(
    stack: InProcessApi, path: str, field: str
) -> None:
    raw = repeated({**oauth_bodies(stack)[path], "resource": "https://a"}, field, "other")
    reply = writes_nothing(stack, lambda: stack.call(path, raw=raw))
    assert "repeated" in oauth_error(reply, 400, "invalid_request")["error_description"]


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/introspect", "/oauth/revoke"])
def test_oauth_json_that_is_not_utf8_is_invalid_request(stack: InProcessApi, path: str) -> None:
    for raw in encodings(oauth_bodies(stack)[path]):
        oauth_error(writes_nothing(stack, lambda raw=raw: stack.call(path, raw=raw)), 400, "invalid_request")


def test_oauth_percent_encoded_surrogates_in_a_form_are_invalid_request(stack: InProcessApi) -> None:
    raw = b"grant_type=client_credentials&client_id=cli_x&client_secret=%ED%A0%80"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    reply = writes_nothing(stack, lambda: stack.call("/oauth/token", raw=raw, headers=headers))
    oauth_error(reply, 400, "invalid_request")


@pytest.mark.parametrize("header", ["Authorization", "Content-Type", "X-Anything"])
def test_oauth_a_header_that_is_not_unicode_is_invalid_request(stack: InProcessApi, header: str) -> None:
    demo = stack.demo
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **basic(demo["client_id"], demo["client_secret"]),
    }
    headers[header] = f"{headers.get(header, 'x')}{LONE}"
    reply = writes_nothing(
        stack,
        lambda: direct(
            stack, "TokenFunction", "/oauth/token", body="grant_type=client_credentials", headers=headers
        ),
    )
    assert "not valid Unicode" in oauth_error(reply, 400, "invalid_request")["error_description"]


# --- the /v1 routes ------------------------------------------------------------------------------------
def webhook(**fields: Any) -> dict[str, Any]:
    return {"url": "https://hooks.example.com/in", "events": ["order.created"], "description": "d", **fields}


@pytest.mark.parametrize("field", ["url", "description", "events", "key:"])
def test_v1_a_lone_surrogate_in_any_string_is_400(stack: InProcessApi, field: str) -> None:
    raw = with_surrogate(webhook(), field)
    headers = {"X-Api-Key": stack.demo["sandbox_api_key"]}
    reply = writes_nothing(stack, lambda: stack.call(WEBHOOKS, raw=raw, headers=headers))
    assert "not valid Unicode" in problem(reply, 400)["detail"]


def test_v1_a_key_sent_twice_is_400(stack: InProcessApi) -> None:
    raw = repeated(webhook(), "url", "https://elsewhere.example.com/in")
    headers = {"X-Api-Key": stack.demo["sandbox_api_key"]}
    reply = writes_nothing(stack, lambda: stack.call(WEBHOOKS, raw=raw, headers=headers))
    assert problem(reply, 400)["detail"] == "Request body has a repeated key in one object: url"


def test_v1_json_that_is_not_utf8_is_400(stack: InProcessApi) -> None:
    headers = {"X-Api-Key": stack.demo["sandbox_api_key"]}
    for raw in encodings(webhook()):
        problem(writes_nothing(stack, lambda raw=raw: stack.call(WEBHOOKS, raw=raw, headers=headers)), 400)


def principal(stack: InProcessApi) -> dict[str, str]:
    return {
        "principalId": "sandbox:test",
        "org_id": stack.demo["org_id"],
        "client_id": "",
        "scope": "webhooks:manage",
        "rate_tier": "default",
        "credential": "sandbox_key",
    }


@pytest.mark.parametrize(
    ("function", "path", "method", "where"),
    [
        ("CreateWebhookFunction", WEBHOOKS, "POST", "header"),
        ("ListWebhooksFunction", WEBHOOKS, "GET", "query parameter"),
        ("GetWebhookFunction", "/v1/webhooks/{webhook_id}", "GET", "path parameter"),
        ("ListEventsFunction", "/v1/events", "GET", "query parameter"),
    ],
)
def test_v1_a_header_or_parameter_that_is_not_unicode_is_400(
    stack: InProcessApi, function: str, path: str, method: str, where: str
) -> None:
    headers = {"Content-Type": "application/json"}
    query, parameters = None, None
    if where == "header":
        headers["Content-Type"] += LONE
    elif where == "query parameter":
        query = {"cursor": f"whk_{LONE}", "type": LONE}
    else:
        parameters = {"webhook_id": f"whk_{LONE}"}
    reply = writes_nothing(
        stack,
        lambda: direct(
            stack,
            function,
            path,
            method=method,
            body=json.dumps(webhook()),
            headers=headers,
            authorizer=principal(stack),
            query=query,
            path_parameters=parameters,
        ),
    )
    assert problem(reply, 400)["detail"] == f"A {where} of the request is not valid Unicode"


@pytest.mark.parametrize("header", ["X-Api-Key", "Authorization"])
def test_v1_credentials_that_are_not_unicode_are_refused_as_credentials(
    stack: InProcessApi, header: str
) -> None:
    value = {"X-Api-Key": stack.demo["sandbox_api_key"] + LONE, "Authorization": f"Bearer a.b.{LONE}"}[header]
    reply = writes_nothing(stack, lambda: stack.call("/v1/me", method="GET", headers={header: value}))
    problem(reply, 401)
