"""The Partner API's request pipeline, shared by its handlers: the one place that turns a REST proxy event
into a ``PartnerRequest`` and a handler's ``Response`` or error into a Lambda proxy response.

- Every response carries ``X-Request-Id`` (API Gateway's request id).
- OAuth endpoints (``oauth_entrypoint``) answer errors in RFC 6749 §5.2 form
  ``{"error", "error_description"}``; other endpoints
  (``document_entrypoint``) in RFC 9457 ``application/problem+json``.
- Methods: an OAuth endpoint's function takes every method (``ANY``) and answers OPTIONS and 405 here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fashionos import proxy
from fashionos.errors import OAuthError, OAuthInvalidRequest, OAuthTooManyAttempts, SigningKeysUnavailable
from fashionos.identity.oauth import oauth_error_response
from fashionos.observability import logger
from fashionos.settings import partner_settings

PROBLEM_JSON = "application/problem+json"
NOT_READY_RETRY_AFTER = "30"


@dataclass(frozen=True, slots=True)
class PartnerRequest:
    method: str
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    request_id: str
    base_url: str  # the issuer: TOKEN_ISSUER, else https://<domain>/<stage> of this request


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: Any  # JSON-serialisable, or None for no body


Endpoint = Callable[[PartnerRequest], Response]


def json_response(body: Any, *, cache_control: str = "no-store") -> Response:
    return Response(200, {"Content-Type": "application/json", "Cache-Control": cache_control}, body)


def base_url(event: Mapping[str, Any]) -> str:
    """The Partner API's public base URL (and OAuth issuer) for this request."""
    configured = partner_settings().token_issuer
    if configured:
        return configured
    context = event.get("requestContext") or {}
    domain, stage = context.get("domainName"), context.get("stage")
    if not domain or not stage:
        raise RuntimeError("TOKEN_ISSUER is unset and the event has no requestContext.domainName/stage")
    return f"https://{domain}/{stage}"


def _request(event: Mapping[str, Any], request_id: str) -> PartnerRequest:
    headers = proxy.lower_headers(event)
    try:
        body = proxy.body_bytes(event)
    except proxy.BadBody as error:
        raise OAuthInvalidRequest(str(error)) from None
    return PartnerRequest(
        method=str(event.get("httpMethod") or ""),
        headers=headers,
        body=body,
        request_id=request_id,
        base_url=base_url(event),
    )


def _proxy_response(status: int, headers: Mapping[str, str], body: Any, request_id: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"X-Request-Id": request_id, **headers},
        "body": "" if body is None else json.dumps(body),
    }


def oauth_entrypoint(endpoint: Endpoint, *, allow: str = "POST") -> proxy.LambdaHandler:
    """The Lambda handler of an OAuth endpoint (RFC 6749 errors); ``allow`` is its one method."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        request_id = proxy.request_id(event)
        try:
            method = event.get("httpMethod")
            if method == "OPTIONS":
                return _proxy_response(204, {"Allow": allow, "Cache-Control": "no-store"}, None, request_id)
            if method != allow:
                error = OAuthInvalidRequest(f"Method {method} not allowed; use {allow}")
                status, headers, body = oauth_error_response(error)
                return _proxy_response(405, {**headers, "Allow": allow}, body, request_id)
            response = endpoint(_request(event, request_id))
            return _proxy_response(response.status, response.headers, response.body, request_id)
        except OAuthError as error:
            status, headers, body = oauth_error_response(error)
            if isinstance(error, OAuthTooManyAttempts):
                headers["Retry-After"] = str(error.retry_after)
            logger.info("Request refused", status=status, error=error.error, detail=error.description)
            return _proxy_response(status, headers, body, request_id)
        except SigningKeysUnavailable as error:
            logger.error("Signing keys unavailable", detail=error.message)
            body = {"error": "temporarily_unavailable", "error_description": "Try again later"}
            headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
            return _proxy_response(503, {**headers, "Retry-After": NOT_READY_RETRY_AFTER}, body, request_id)
        except Exception:
            logger.exception("Unhandled error")
            body = {"error": "server_error", "error_description": "Internal server error"}
            headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
            return _proxy_response(500, headers, body, request_id)

    return proxy.lambda_entrypoint(handle)


def document_entrypoint(endpoint: Endpoint) -> proxy.LambdaHandler:
    """The Lambda handler of a public GET document (JWKS, metadata); errors are RFC 9457 problems."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        request_id = proxy.request_id(event)
        try:
            response = endpoint(_request(event, request_id))
            return _proxy_response(response.status, response.headers, response.body, request_id)
        except SigningKeysUnavailable as error:
            logger.error("Signing keys unavailable", detail=error.message)
            return _problem(503, "Service Unavailable", "Try again later", request_id, NOT_READY_RETRY_AFTER)
        except Exception:
            logger.exception("Unhandled error")
            return _problem(500, "Internal Server Error", None, request_id)

    return proxy.lambda_entrypoint(handle)


def _problem(
    status: int, title: str, detail: str | None, request_id: str, retry_after: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["request_id"] = request_id
    headers = {"Content-Type": PROBLEM_JSON, "Cache-Control": "no-store"}
    if retry_after:
        headers["Retry-After"] = retry_after
    return _proxy_response(status, headers, body, request_id)
