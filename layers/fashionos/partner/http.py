"""The Partner API's request pipeline, shared by its handlers: the one place that turns a REST proxy event
into a ``PartnerRequest`` and a handler's ``Response`` or error into a Lambda proxy response.

- Every response carries ``X-Request-Id`` (API Gateway's request id).
- OAuth endpoints (``oauth_entrypoint``) answer errors in RFC 6749 §5.2 form
  ``{"error", "error_description"}``; other endpoints (``document_entrypoint``, ``api_entrypoint``) in
  RFC 9457 ``application/problem+json``.
- Methods: an OAuth endpoint's function takes every method (``ANY``) and answers OPTIONS and 405 here.
- ``/v1`` routes (``api_entrypoint``) sit behind the Lambda authorizer (``authorizer_entrypoint``): each
  request is counted against its principal's rate limit, then checked for the route's scope; every reply
  carries the rate-limit headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fashionos import proxy
from fashionos.errors import (
    DomainError,
    EventNotFound,
    InsufficientScope,
    InvalidApiKey,
    InvalidRequest,
    InvalidToken,
    OAuthError,
    OAuthInvalidRequest,
    OAuthTooManyAttempts,
    OrgNotFound,
    PayloadTooLarge,
    RateLimited,
    SigningKeysUnavailable,
    WebhookDisabled,
    WebhookNotFound,
)
from fashionos.identity.oauth import oauth_error_response
from fashionos.identity.principal import Principal, require_scope
from fashionos.jsonbody import describe_validation_error, json_object
from fashionos.observability import logger
from fashionos.partner.container import rate_limiter
from fashionos.ratelimit import RateWindow
from fashionos.settings import partner_settings

if TYPE_CHECKING:  # pydantic is imported by the routes that parse a body, not by every /v1 handler
    from pydantic import BaseModel

PROBLEM_JSON = "application/problem+json"
NOT_READY_RETRY_AFTER = "30"
Model = TypeVar("Model", bound="BaseModel")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PartnerRequest:
    method: str
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    request_id: str
    base_url: str  # the issuer: TOKEN_ISSUER, else https://<domain>/<stage> of this request
    principal: Principal | None = None  # the caller of a /v1 route, as the authorizer decided
    path_parameters: Mapping[str, str] = field(default_factory=dict)  # {"webhook_id": ...}
    query: Mapping[str, str] = field(default_factory=dict)  # the query string (last value of a name)

    @property
    def org_id(self) -> str:
        """The caller's org: every object a /v1 route names is looked up under it."""
        assert self.principal is not None  # api_entrypoint gives every /v1 route its principal
        return self.principal.org_id

    def path(self, name: str) -> str:
        return self.path_parameters.get(name, "")

    def page(self) -> tuple[int, str | None]:
        """``limit`` (1-100, default 20) and ``cursor`` of a list request."""
        raw = self.query.get("limit", str(DEFAULT_PAGE_SIZE))
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}")
        return int(raw), self.query.get("cursor") or None

    def filters(self) -> dict[str, str]:
        """The query parameters other than ``limit`` and ``cursor``."""
        return {k: v for k, v in self.query.items() if k not in ("limit", "cursor")}

    def parse(self, model: type[Model], *, optional: bool = False) -> Model:
        """The JSON body as ``model`` (``InvalidRequest`` saying which field is wrong); with ``optional``, an
        empty body is ``{}``."""
        if optional and not self.body.strip():
            return model.model_validate({})
        from pydantic import ValidationError

        data = json_object(self.body, self.headers.get("content-type"))
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise InvalidRequest(describe_validation_error(error)) from None


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: Any  # JSON-serialisable, or None for no body


Endpoint = Callable[[PartnerRequest], Response]


def json_response(body: Any, *, status: int = 200, cache_control: str = "no-store") -> Response:
    return Response(status, {"Content-Type": "application/json", "Cache-Control": cache_control}, body)


def page_response(items: list[dict[str, Any]], has_more: bool) -> Response:
    """A list page: ``next_cursor`` (the last item's id) fetches the next one while ``has_more``."""
    cursor = items[-1]["id"] if has_more and items else None
    return json_response({"data": items, "has_more": has_more, "next_cursor": cursor})


def no_content() -> Response:
    return Response(204, {"Cache-Control": "no-store"}, None)


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


def _request(event: Mapping[str, Any], request_id: str, principal: Principal | None = None) -> PartnerRequest:
    """The request of ``event``; ``InvalidRequest`` when its base64 body is not base64, or a header or a
    parameter is not valid Unicode."""
    return PartnerRequest(
        method=str(event.get("httpMethod") or ""),
        headers=proxy.lower_headers(event),
        body=proxy.body_bytes(event),
        request_id=request_id,
        base_url=base_url(event),
        principal=principal,
        path_parameters=proxy.strings(event.get("pathParameters"), "path parameter"),
        query=proxy.strings(event.get("queryStringParameters"), "query parameter"),
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
            try:
                request = _request(event, request_id)
            except InvalidRequest as error:
                raise OAuthInvalidRequest(error.message) from None
            response = endpoint(request)
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
        except InvalidRequest as error:
            return _problem(400, "Bad Request", error.message, request_id)
        except SigningKeysUnavailable as error:
            logger.error("Signing keys unavailable", detail=error.message)
            return _problem(503, "Service Unavailable", "Try again later", request_id, NOT_READY_RETRY_AFTER)
        except Exception:
            logger.exception("Unhandled error")
            return _problem(500, "Internal Server Error", None, request_id)

    return proxy.lambda_entrypoint(handle)


def _problem(
    status: int,
    title: str,
    detail: str | None,
    request_id: str,
    retry_after: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["request_id"] = request_id
    all_headers = {"Content-Type": PROBLEM_JSON, "Cache-Control": "no-store", **(headers or {})}
    if retry_after:
        all_headers["Retry-After"] = retry_after
    return _proxy_response(status, all_headers, body, request_id)


# --- /v1 routes ------------------------------------------------------------------------------------

# Domain errors as problem documents: the one place a /v1 error gets its status (most specific class
# first; anything unlisted is a 500).
_PROBLEMS: dict[type[DomainError], tuple[int, str]] = {
    InvalidRequest: (400, "Bad Request"),
    InvalidToken: (401, "Unauthorized"),
    InsufficientScope: (403, "Forbidden"),
    OrgNotFound: (404, "Not Found"),
    WebhookNotFound: (404, "Not Found"),
    EventNotFound: (404, "Not Found"),
    WebhookDisabled: (409, "Conflict"),
    PayloadTooLarge: (413, "Content Too Large"),
    RateLimited: (429, "Too Many Requests"),
}


def _problem_headers(error: DomainError) -> dict[str, str]:
    if isinstance(error, InvalidToken):
        return {"WWW-Authenticate": 'Bearer realm="fashionos"'}
    if isinstance(error, InsufficientScope):  # RFC 6750 §3.1
        challenge = f'Bearer realm="fashionos", error="insufficient_scope", scope="{error.scope}"'
        return {"WWW-Authenticate": challenge}
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after)}
    return {}


def rate_limit_headers(window: RateWindow, policy: str) -> dict[str, str]:
    """IETF ``RateLimit-Policy``/``RateLimit`` (draft-ietf-httpapi-ratelimit-headers) and GitHub's
    ``X-RateLimit-*`` (``-Reset`` in epoch seconds) for ``window``."""
    return {
        "RateLimit-Policy": f'"{policy}";q={window.limit};w={window.window_seconds}',
        "RateLimit": f'"{policy}";r={window.remaining};t={window.reset_after}',
        "X-RateLimit-Limit": str(window.limit),
        "X-RateLimit-Remaining": str(window.remaining),
        "X-RateLimit-Reset": str(window.resets_at),
    }


def api_entrypoint(endpoint: Endpoint, *, scope: str) -> proxy.LambdaHandler:
    """The Lambda handler of a ``/v1`` route that requires ``scope``; errors are RFC 9457 problems."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        request_id = proxy.request_id(event)
        limits: dict[str, str] = {}
        try:
            context = (event.get("requestContext") or {}).get("authorizer")
            principal = Principal.from_context(context)
            window = rate_limiter().count(principal.principal_id, principal.requests_per_minute)
            limits = rate_limit_headers(window, principal.rate_tier)
            if window.exceeded:
                raise RateLimited("Rate limit exceeded; retry after Retry-After seconds", window.reset_after)
            require_scope(principal, scope)
            response = endpoint(_request(event, request_id, principal))
            return _proxy_response(response.status, {**response.headers, **limits}, response.body, request_id)
        except DomainError as error:
            status, title = next(
                (mapped for cls, mapped in _PROBLEMS.items() if isinstance(error, cls)),
                (500, "Internal Server Error"),
            )
            if status == 500:
                logger.exception("Unmapped domain error")
                return _problem(500, "Internal Server Error", None, request_id, headers=limits)
            logger.info("Request refused", status=status, error=type(error).__name__, detail=error.message)
            headers = {**limits, **_problem_headers(error)}
            return _problem(status, title, error.message, request_id, headers=headers)
        except Exception:
            logger.exception("Unhandled error")
            return _problem(500, "Internal Server Error", None, request_id, headers=limits)

    return proxy.lambda_entrypoint(handle)


class Unauthorized(Exception):
    """What an authorizer raises to make API Gateway answer 401: the message must be exactly this."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def authorizer_entrypoint(authorize: Callable[[PartnerRequest], Principal]) -> proxy.LambdaHandler:
    """The Lambda handler of a REQUEST authorizer: ``authorize`` names the caller or raises
    ``InvalidToken``/``InvalidApiKey`` (API Gateway then answers its ``UNAUTHORIZED`` response, 401).

    The policy allows every ``/v1`` route of the API's stage, whatever route this request was for: API
    Gateway caches it by credential and reuses it for other routes, which enforce their own scopes."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        try:
            principal = authorize(_request(event, proxy.request_id(event)))
        except (InvalidToken, InvalidApiKey, InvalidRequest) as error:
            # The reason goes to the log only: a caller learns nothing about which check failed.
            logger.info("Credentials refused", reason=error.message)
            raise Unauthorized from None
        api_arn, stage = str(event["methodArn"]).split("/")[:2]
        return {
            "principalId": principal.principal_id,
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": "execute-api:Invoke",
                        "Effect": "Allow",
                        "Resource": f"{api_arn}/{stage}/*/v1/*",
                    }
                ],
            },
            "context": principal.context(),
        }

    return proxy.lambda_entrypoint(handle)
