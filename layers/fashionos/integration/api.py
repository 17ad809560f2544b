"""The Integration API's request pipeline, shared by its handlers.

A handler registers one route and gets a validated, authenticated ``IntegrationRequest``; everything else
(CORS, rate limit, method, size, content type, JSON, handshake, idempotency, errors in the API's format,
``X-Request-Id``) happens here, once for the whole API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict, TypeVar

from fashionos import aws, deprecation, errors, proxy
from fashionos.idempotency import AlreadyClaimed, IdempotencyClaim, StoredResponse, checked_key, fingerprint
from fashionos.integration.cors import cors_headers, preflight_headers
from fashionos.integration.handshake import verify_handshake
from fashionos.jsonbody import describe_validation_error, json_object
from fashionos.observability import logger
from fashionos.percontainer import per_container
from fashionos.ratelimit import RateLimiter
from fashionos.settings import settings

if TYPE_CHECKING:  # pydantic is imported by the routes that parse a body, not by the docs' GET routes
    from pydantic import BaseModel

# Error kinds → HTTP status: the only place this mapping exists for the Integration API (its document's
# codes: an unknown or inactive API key and a key of another user are 403).
STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.MethodNotAllowed: 405,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.PayloadTooLarge: 413,
    errors.Unprocessable: 422,
    errors.TooManyRequests: 429,
}

Model = TypeVar("Model", bound="BaseModel")


class Success(TypedDict):
    """The change is made (or was, by the first request with this Idempotency-Key); ``warnings`` says which
    of the user's plan limits it went past (soft limits: it is counted anyway), only when there are some."""

    success: Literal[True]
    message: str
    warnings: NotRequired[list[str]]


class Failure(TypedDict):
    """The request is refused (or failed): ``error`` says why."""

    success: Literal[False]
    error: str


def failure(message: str) -> Failure:
    """The body of every error response."""
    return {"success": False, "error": message}


INTERNAL_ERROR = "Internal server error"
LEGACY_CALLER = "legacy-system"  # who the Integration API's calls are counted for: the handshake's holder


@dataclass(frozen=True, slots=True)
class IntegrationRequest:
    body: dict[str, Any]
    idempotency: IdempotencyClaim | None

    def parse(self, model: type[Model]) -> Model:
        from pydantic import ValidationError

        try:
            return model.model_validate(self.body)
        except ValidationError as error:
            raise errors.InvalidRequest(describe_validation_error(error)) from error


Route = Callable[[IntegrationRequest], Success]


def ok(message: str, warnings: list[str] | None = None) -> Success:
    """The documented success body; ``warnings`` only when there are some."""
    body: Success = {"success": True, "message": message}
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
        body: Mapping[str, Any] | None  # a Success, a Failure, or (a preflight) none
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
                status, body = 500, failure(INTERNAL_ERROR)
            else:
                status, body = mapped, failure(error.message)
                if isinstance(error, errors.MethodNotAllowed):
                    extra = {"Allow": error.allow}
                elif isinstance(error, errors.TooManyRequests | errors.Transient):
                    extra = {"Retry-After": str(error.retry_after)}
                elif isinstance(error, deprecation.Sunset):
                    extra = error.headers
                # Not the message: it may quote the request (a user id, a field's value).
                logger.info("Request refused", status=status, error=type(error).__name__)
        except Exception:
            logger.exception("Unhandled error")
            status, body = 500, failure(INTERNAL_ERROR)
        return _response(status, body, request_id, {**cors_headers(origin), **extra})

    def _route(self, event: dict[str, Any]) -> Route:
        route = self._routes.get(event.get("resource") or event.get("path") or "")
        if route is None:
            raise errors.RouteNotFound("Not found")
        return route

    def _dispatch(
        self, event: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Mapping[str, Any], dict[str, str]]:
        route = self._route(event)
        source_ip = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp") or "unknown"
        rate_limiter().hit(f"ip:{source_ip}")
        method = event.get("httpMethod", "")
        if method != "POST":
            raise errors.MethodNotAllowed(f"Method {method} not allowed; use POST", allow="POST")
        body = _json_object(event, headers)
        verify_handshake(body.get("handshake"))
        resource = str(event.get("resource") or "")
        # The legacy system is the one caller; Sunset (410) once past the sunset date.
        deprecated = deprecation.check(
            "POST", resource, {}, lambda: body, table=settings().table_name, caller=LEGACY_CALLER
        )
        warned = deprecated.headers() if deprecated else {}

        key = headers.get("idempotency-key")
        if key is None:
            return 200, route(IntegrationRequest(body, None)), warned
        status, result, extra = _idempotently(route, body, key, resource=resource)
        return status, result, {**extra, **warned}


def _idempotently(
    route: Route, body: dict[str, Any], key: str, *, resource: str
) -> tuple[int, Mapping[str, Any], dict[str, str]]:
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
    claim.save(StoredResponse(200, dict(result)))
    return 200, result, {}


def _response(
    status: int, body: Mapping[str, Any] | None, request_id: str, headers: Mapping[str, str]
) -> dict[str, Any]:
    response_headers = {"X-Request-Id": request_id, **headers, "Cache-Control": "no-store"}
    if body is not None:
        response_headers["Content-Type"] = "application/json"
    return {
        "statusCode": status,
        "headers": response_headers,
        "body": "" if body is None else json.dumps(body),
    }


def not_found(request_id: str) -> dict[str, Any]:
    """404 for a path under a route that names nothing (an unknown file of the reference page)."""
    return _response(404, failure("Not found"), request_id, {})


def method_not_allowed(method: str, allow: str, request_id: str) -> dict[str, Any]:
    """405 for a method the path has no route for (``Allow``: the ones it has)."""
    return _response(405, failure(f"Method {method} not allowed; use {allow}"), request_id, {"Allow": allow})


def entrypoint(app: IntegrationApi) -> proxy.LambdaHandler:
    """The Lambda handler for ``app``."""
    return proxy.lambda_entrypoint(app.handle)


def _json_object(event: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    return json_object(proxy.body_bytes(event), headers.get("content-type"))
