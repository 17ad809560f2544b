"""The Integration API's request pipeline, shared by its handlers.

A handler registers one route and gets a validated, authenticated ``IntegrationRequest``; everything else
(CORS, rate limit, method, size, content type, JSON, handshake, idempotency, errors in the API's format,
``X-Request-Id``) happens here, once for the whole API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fashionos import aws, errors, proxy
from fashionos.idempotency import AlreadyClaimed, IdempotencyClaim, StoredResponse, checked_key, fingerprint
from fashionos.integration.cors import cors_headers, preflight_headers
from fashionos.integration.handshake import verify_handshake
from fashionos.jsonbody import describe_validation_error, json_object
from fashionos.observability import logger
from fashionos.percontainer import per_container
from fashionos.ratelimit import RateLimiter
from fashionos.settings import settings

# Error kinds → HTTP status: the only place this mapping exists for the Integration API (its document's
# codes: an unknown or inactive API key and a key of another user are 403).
STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.MethodNotAllowed: 405,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.Unprocessable: 422,
    errors.TooManyRequests: 429,
}

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class IntegrationRequest:
    body: dict[str, Any]
    idempotency: IdempotencyClaim | None

    def parse(self, model: type[Model]) -> Model:
        try:
            return model.model_validate(self.body)
        except ValidationError as error:
            raise errors.InvalidRequest(describe_validation_error(error)) from error


Route = Callable[[IntegrationRequest], dict[str, Any]]


def ok(message: str, warnings: list[str] | None = None) -> dict[str, Any]:
    """The documented success body; ``warnings`` only when there are some."""
    body: dict[str, Any] = {"success": True, "message": message}
    if warnings:
        body["warnings"] = warnings
    return body


@per_container
def rate_limiter() -> RateLimiter:
    config = settings()
    return RateLimiter(aws.dynamodb(), config.table_name, limit=config.rate_limit_per_minute)


class IntegrationApi:
    """One POST route per Lambda function (API Gateway sends every method of the path here)."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}

    def post(self, path: str) -> Callable[[Route], Route]:
        def register(route: Route) -> Route:
            self._routes[path] = route
            return route

        return register

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        request_id = proxy.request_id(event)
        origin: str | None = None
        status: int
        body: dict[str, Any] | None
        extra: dict[str, str] = {}
        try:
            headers = proxy.lower_headers(event)
            origin = headers.get("origin")
            if event.get("httpMethod") == "OPTIONS":  # a CORS preflight
                self._route(event)
                status, body, extra = 204, None, {"Allow": "POST", **preflight_headers(origin, "POST")}
            else:
                status, body, extra = self._dispatch(event, headers)
        except errors.DomainError as error:
            mapped = errors.kind_of(error, STATUS)
            if mapped is None:
                logger.exception("Unmapped domain error")
                status, body = 500, {"success": False, "error": "Internal server error"}
            else:
                status, body = mapped, {"success": False, "error": error.message}
                if isinstance(error, errors.MethodNotAllowed):
                    extra = {"Allow": error.allow}
                elif isinstance(error, errors.TooManyRequests):
                    extra = {"Retry-After": str(error.retry_after)}
                logger.info("Request refused", status=status, error=error.message)
        except Exception:
            logger.exception("Unhandled error")
            status, body = 500, {"success": False, "error": "Internal server error"}
        response_headers = {
            "X-Request-Id": request_id,
            **cors_headers(origin),
            **extra,
            "Cache-Control": "no-store",
        }
        if body is not None:
            response_headers["Content-Type"] = "application/json"
        return {
            "statusCode": status,
            "headers": response_headers,
            "body": "" if body is None else json.dumps(body),
        }

    def _route(self, event: dict[str, Any]) -> Route:
        route = self._routes.get(event.get("resource") or event.get("path") or "")
        if route is None:
            raise errors.RouteNotFound("Not found")
        return route

    def _dispatch(
        self, event: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        route = self._route(event)
        source_ip = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp") or "unknown"
        rate_limiter().hit(f"ip:{source_ip}")
        method = event.get("httpMethod", "")
        if method != "POST":
            raise errors.MethodNotAllowed(f"Method {method} not allowed; use POST", allow="POST")
        body = _json_object(event, headers)
        verify_handshake(body.get("handshake"))

        key = headers.get("idempotency-key")
        if key is None:
            return 200, route(IntegrationRequest(body, None)), {}
        return _idempotently(route, body, key, resource=event.get("resource") or "")


def _idempotently(
    route: Route, body: dict[str, Any], key: str, *, resource: str
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Run ``route`` once per Idempotency-Key: a retry gets the first response, or finishes it."""
    config = settings()
    claim = IdempotencyClaim(
        client=aws.dynamodb(),
        table=config.table_name,
        scope="integration",
        key=checked_key(key),
        fingerprint=fingerprint("POST", resource, body, ignore=frozenset({"handshake"})),
        ttl_seconds=config.idempotency_ttl_seconds,
    )
    try:
        result = route(IntegrationRequest(body, claim))
    except AlreadyClaimed:
        resolved = claim.resolve()
        if isinstance(resolved, StoredResponse):
            return resolved.status, resolved.body, {"Idempotent-Replayed": "true"}
        result = route(IntegrationRequest(body, resolved))
    claim.save(StoredResponse(200, result))
    return 200, result, {}


def entrypoint(app: IntegrationApi) -> proxy.LambdaHandler:
    """The Lambda handler for ``app``."""
    return proxy.lambda_entrypoint(app.handle)


def _json_object(event: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    return json_object(proxy.body_bytes(event), headers.get("content-type"))
