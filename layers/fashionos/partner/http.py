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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, TypeVar

from fashionos import aws, deprecation, proxy
from fashionos.contract import Operation, Param
from fashionos.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    InsufficientScope,
    InvalidApiKey,
    InvalidCombination,
    InvalidRequest,
    InvalidToken,
    MethodNotAllowed,
    NotFound,
    OAuthError,
    OAuthInvalidRequest,
    PayloadTooLarge,
    PreconditionFailed,
    RateLimited,
    TooManyRequests,
    Transient,
    Unauthenticated,
    Unavailable,
    Unprocessable,
    kind_of,
)
from fashionos.idempotency import Claim, IdempotencyKey, checked_key, partner_scope
from fashionos.identity.oauth import oauth_error_response
from fashionos.identity.principal import Principal, require_scope
from fashionos.ids import sha256_hex
from fashionos.jsonbody import describe_validation_error, json_object
from fashionos.observability import logger
from fashionos.partner.container import rate_limiter
from fashionos.ratelimit import RateWindow
from fashionos.settings import partner_settings

if TYPE_CHECKING:  # pydantic is imported by the routes that parse a body, not by every /v1 handler
    from pydantic import BaseModel

PROBLEM_JSON = "application/problem+json"
# The type of a problem with a code: its documentation, by code.
PROBLEM_TYPES = "https://docs.fashionos.dev/problems/"
NOT_READY_RETRY_AFTER = "30"
Model = TypeVar("Model", bound="BaseModel")
T = TypeVar("T")
C = TypeVar("C")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
LIMIT = Param(
    "limit",
    f"How many items a page holds (1-{MAX_PAGE_SIZE})",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
)


def page_params(cursor: str) -> tuple[Param, Param]:
    """The query parameters of every list route: ``limit``, and ``cursor`` (the ``next_cursor`` of the page
    before, which fully matches ``cursor``, a regular expression)."""
    described = "The next_cursor of the page before (omit it for the first page)"
    return LIMIT, Param("cursor", described, {"type": "string", "pattern": f"^{cursor}$"})


class Problem(TypedDict):
    """An RFC 9457 problem document: every error of the ``/v1`` routes and the public documents."""

    type: str  # about:blank, or the documentation of ``code``
    title: str  # the status's reason phrase
    status: int
    detail: NotRequired[str]  # what was wrong, in a sentence a developer can act on
    code: NotRequired[str]  # a stable, machine-readable reason (insufficient_stock), when there is one
    request_id: str  # X-Request-Id: quote it to support


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
    idempotency: IdempotencyKey | None = None  # a POST's Idempotency-Key, not yet used

    def claim(self, render: Callable[[T], Response]) -> Claim[T] | None:
        """For a domain operation that writes once per Idempotency-Key: its result, rendered by
        ``render``, is stored with its change (None: the request has no key)."""
        return Claim(self.idempotency, render) if self.idempotency else None

    @property
    def org_id(self) -> str:
        """The caller's org: every object a /v1 route names is looked up under it."""
        assert self.principal is not None  # api_entrypoint gives every /v1 route its principal
        return self.principal.org_id

    @property
    def actor(self) -> str:
        """Who makes the change, as records of it name them: the client id (``sandbox:<key>`` for a key)."""
        assert self.principal is not None
        return self.principal.principal_id

    def path(self, name: str) -> str:
        return self.path_parameters.get(name, "")

    def if_match(self) -> int | None:
        """The version ``If-Match`` names (the ``ETag`` a read answered), -1 for a tag no version has;
        None without the header."""
        raw = self.headers.get("if-match")
        if raw is None or raw.strip() == "*":
            return None
        tag = raw.strip().removeprefix("W/").strip('"')
        return int(tag) if tag.isascii() and tag.isdigit() and len(tag) <= 12 else -1

    def page(self) -> tuple[int, str | None]:
        """``limit`` (1-100, default 20) and ``cursor`` of a list request."""
        raw = self.query.get("limit", str(DEFAULT_PAGE_SIZE))
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}")
        return int(raw), self.query.get("cursor")  # "" is a cursor no page ends with: 400

    def filters(self) -> dict[str, str]:
        """The query parameters other than ``limit`` and ``cursor``."""
        return {k: v for k, v in self.query.items() if k not in ("limit", "cursor")}

    def parse_empty(self) -> None:
        """A route that takes no body: nothing, or ``{}`` (any field is unknown to it)."""
        if self.body.strip():
            fields = json_object(self.body, self.headers.get("content-type"))
            if fields:
                raise InvalidRequest(f"{sorted(fields)[0]}: Extra inputs are not permitted")

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
            # A model's own rule (no field to blame) is refused as well-formed but unprocessable: 422.
            refused = InvalidCombination if all(not e["loc"] for e in error.errors()) else InvalidRequest
            raise refused(describe_validation_error(error)) from None


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: Any  # JSON-serialisable, or None for no body


Endpoint = Callable[[PartnerRequest], Response]


def json_response(
    body: Any, *, status: int = 200, cache_control: str = "no-store", version: int | None = None
) -> Response:
    """A JSON response; ``version``: the object's, as its ``ETag`` (for ``If-Match``)."""
    headers = {"Content-Type": "application/json", "Cache-Control": cache_control}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    return Response(status, headers, body)


def page_response(items: Sequence[Mapping[str, Any]], has_more: bool, cursor_field: str = "id") -> Response:
    """A list page: ``next_cursor`` (the last item's ``cursor_field``) fetches the next one while
    ``has_more``."""
    cursor = items[-1][cursor_field] if has_more and items else None
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
            # Not the description: it may quote the request (a scope, a parameter), personal data included.
            logger.info("Request refused", status=status, error=error.error)
            return _proxy_response(status, headers, body, request_id)
        except Unavailable as error:
            logger.error("Dependency unavailable", detail=error.message)
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
        except DomainError as error:
            return _error_response(error, request_id, {})
        except Exception:
            logger.exception("Unhandled error")
            return _problem(500, "Internal Server Error", None, request_id)

    return proxy.lambda_entrypoint(handle)


def _problem(
    status: int,
    title: str,
    detail: str | None,
    request_id: str,
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """An RFC 9457 problem document; an error with a ``code`` gets a ``type`` of its own and the ``code``
    (Stripe's field) for clients to branch on."""
    body: Problem = {
        "type": f"{PROBLEM_TYPES}{code}" if code else "about:blank",
        "title": title,
        "status": status,
        "request_id": request_id,
    }
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    all_headers = {"Content-Type": PROBLEM_JSON, "Cache-Control": "no-store", **(headers or {})}
    return _proxy_response(status, all_headers, body, request_id)


def not_found_problem(request_id: str) -> dict[str, Any]:
    """404 for a path under a route that names nothing (an unknown file of the reference page)."""
    return _problem(404, "Not Found", "Not found", request_id)


def method_not_allowed_problem(method: str, allow: str, request_id: str) -> dict[str, Any]:
    """405 for a method the path has no route for (``Allow``: the ones it has)."""
    detail = f"Method {method} not allowed; use {allow}"
    return _problem(405, "Method Not Allowed", detail, request_id, headers={"Allow": allow})


# Error kinds as problem documents: the one place a Partner API error gets its status. A kind not listed
# (and any other exception) is a 500.
PROBLEMS: dict[type[DomainError], tuple[int, str]] = {
    InvalidRequest: (400, "Bad Request"),
    Unauthenticated: (401, "Unauthorized"),
    Forbidden: (403, "Forbidden"),
    NotFound: (404, "Not Found"),
    MethodNotAllowed: (405, "Method Not Allowed"),
    Conflict: (409, "Conflict"),
    Gone: (410, "Gone"),
    PreconditionFailed: (412, "Precondition Failed"),
    PayloadTooLarge: (413, "Content Too Large"),
    Unprocessable: (422, "Unprocessable Content"),
    TooManyRequests: (429, "Too Many Requests"),
    Unavailable: (503, "Service Unavailable"),
}


def _problem_headers(error: DomainError) -> dict[str, str]:
    if isinstance(error, InvalidToken):
        return {"WWW-Authenticate": 'Bearer realm="fashionos"'}
    if isinstance(error, InsufficientScope):  # RFC 6750 §3.1
        challenge = f'Bearer realm="fashionos", error="insufficient_scope", scope="{error.scope}"'
        return {"WWW-Authenticate": challenge}
    if isinstance(error, TooManyRequests | Transient):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unavailable):
        return {"Retry-After": NOT_READY_RETRY_AFTER}
    if isinstance(error, MethodNotAllowed):
        return {"Allow": error.allow}
    if isinstance(error, deprecation.Sunset):
        return error.headers
    return {}


def _error_response(error: DomainError, request_id: str, headers: Mapping[str, str]) -> dict[str, Any]:
    mapped = kind_of(error, PROBLEMS)
    if mapped is None:
        logger.exception("Unmapped domain error")
        return _problem(500, "Internal Server Error", None, request_id, headers=headers)
    status, title = mapped
    if status >= 500:
        logger.error("Request failed", status=status, error=type(error).__name__, detail=error.message)
        detail = "Try again later"
    else:
        # Not the message: it may quote the request (an id, a field's value), personal data included.
        logger.info("Request refused", status=status, error=type(error).__name__, code=error.code)
        detail = error.message
    headers = {**headers, **_problem_headers(error)}
    return _problem(status, title, detail, request_id, headers=headers, code=error.code)


# --- /v1 routes ------------------------------------------------------------------------------------


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


def api_entrypoint(endpoint: Endpoint, operation: Operation) -> proxy.LambdaHandler:
    """The Lambda handler of a ``/v1`` route declared by ``operation``: it requires the operation's scope and
    takes only its query parameters (any other is a 400, as Stripe refuses unknown parameters); errors are
    RFC 9457 problems.

    A POST with an ``Idempotency-Key`` (Stripe's semantics): the first response stored with its change is
    replayed (``Idempotent-Replayed: true``) for 24 hours; the key sent with a different request is 422;
    while the first is still running, 409.
    """
    if operation.scope is None:
        raise ValueError("a /v1 operation requires a scope")
    scope, query = operation.scope, operation.query_names

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
            request = _request(event, request_id, principal)
            deprecated = deprecation.check(
                request.method,
                str(event.get("resource") or ""),
                request.query,
                lambda: _body_fields(request),
                table=partner_settings().partner_table_name,
                caller=request.actor,
                org_id=request.org_id,
            )
            if deprecated is not None:
                limits.update(deprecated.headers())
            unknown = sorted(set(request.query) - set(query))
            if unknown:
                raise InvalidRequest(f"Unknown query parameter: {unknown[0]}")
            key = _idempotency_key(event, request)
            if key is None:
                response = endpoint(request)
            else:
                response = _idempotently(endpoint, replace(request, idempotency=key), key)
            return _proxy_response(response.status, {**response.headers, **limits}, response.body, request_id)
        except DomainError as error:
            return _error_response(error, request_id, limits)
        except Exception:
            logger.exception("Unhandled error")
            return _problem(500, "Internal Server Error", None, request_id, headers=limits)

    return proxy.lambda_entrypoint(handle)


def bearer_entrypoint(
    endpoint: Callable[[PartnerRequest, C], Response],
    authenticate: Callable[[PartnerRequest], tuple[C, str]],
    operation: Operation,
    requests_per_minute: int,
) -> proxy.LambdaHandler:
    """The Lambda handler of a route outside ``/v1`` whose callers hold a bearer token of another kind (the
    try-on front end's session token): ``authenticate`` verifies the request's ``Authorization``
    (``InvalidToken``: 401) and names the caller and its rate-limit bucket; then it runs as a ``/v1`` route
    does, without scopes."""
    query = operation.query_names

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        request_id = proxy.request_id(event)
        limits: dict[str, str] = {}
        try:
            request = _request(event, request_id)
            caller, bucket = authenticate(request)
            window = rate_limiter().count(bucket, requests_per_minute)
            limits = rate_limit_headers(window, "session")
            if window.exceeded:
                raise RateLimited("Rate limit exceeded; retry after Retry-After seconds", window.reset_after)
            unknown = sorted(set(request.query) - set(query))
            if unknown:
                raise InvalidRequest(f"Unknown query parameter: {unknown[0]}")
            response = endpoint(request, caller)
            return _proxy_response(response.status, {**response.headers, **limits}, response.body, request_id)
        except DomainError as error:
            return _error_response(error, request_id, limits)
        except Exception:
            logger.exception("Unhandled error")
            return _problem(500, "Internal Server Error", None, request_id, headers=limits)

    return proxy.lambda_entrypoint(handle)


def _body_fields(request: PartnerRequest) -> dict[str, Any] | None:
    """The members of a JSON object body (None for any other body: the route's parser refuses it)."""
    try:
        return (
            json_object(request.body, request.headers.get("content-type")) if request.body.strip() else None
        )
    except InvalidRequest:
        return None


def _idempotency_key(event: Mapping[str, Any], request: PartnerRequest) -> IdempotencyKey | None:
    """The POST's Idempotency-Key, scoped to the caller's org; the same request is the same method, path
    and body bytes."""
    key = request.headers.get("idempotency-key")
    if key is None or request.method != "POST":
        return None
    path = str(event.get("path") or "")
    config = partner_settings()
    return IdempotencyKey(
        client=aws.dynamodb(),
        table=config.partner_table_name,
        scope=partner_scope(request.org_id),
        key=checked_key(key),
        fingerprint=sha256_hex(f"{request.method} {path} ".encode() + request.body),
        ttl_seconds=config.idempotency_ttl_seconds,
    )


def _idempotently(endpoint: Endpoint, request: PartnerRequest, key: IdempotencyKey) -> Response:
    """The stored response of ``key``, or the endpoint's. A duplicate that ran while the first committed
    (and so saw its effect: an order already fulfilled, a listing already there) answers the first's
    response too, whatever it found itself."""
    stored = key.stored()
    if stored is None:
        try:
            response = endpoint(request)
        except DomainError:
            stored = key.stored()
            if stored is None:
                raise
        else:
            stored = key.stored()
            if stored is None or (stored.status, stored.body) == (response.status, _as_json(response.body)):
                return response  # no claim (nothing changed), or this request's own
    return Response(stored.status, {**stored.headers, "Idempotent-Replayed": "true"}, stored.body)


def _as_json(body: Any) -> Any:
    return json.loads(json.dumps(body))


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
