"""The OpenAPI 3.1 documents of both APIs, built from the code: the template's routes and authorizers, each
route's ``OPERATION`` (its handler module's declaration, ``fashionos.contract``), the pydantic models and
TypedDicts it names, and the error kinds' statuses (``PROBLEMS``, the Integration API's ``STATUS``).

A build-time step (``make openapi``): no function imports any of this.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from apispec.examples import load as recorded_examples
from devserver.template import ApiRoute, LocalTemplate, load_template
from fashionos import __version__, deprecation, errors
from fashionos.contract import Content, Operation, Page, Param
from fashionos.identity.oauth import OAuthErrorBody, oauth_error_status
from fashionos.identity.partner_models import SCOPES
from fashionos.integration.api import STATUS as INTEGRATION_STATUS
from fashionos.integration.api import Failure
from fashionos.jsonbody import MAX_BODY_BYTES
from fashionos.partner.http import PROBLEM_JSON, PROBLEM_TYPES, PROBLEMS, Problem
from fashionos.settings import IDEMPOTENCY_TTL_SECONDS

DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "layers" / "fashionos" / "apidocs"
OPENAPI = "3.1.0"
REF = "#/components/schemas/{model}"
JSON = "application/json"


@dataclass(frozen=True)
class Api:
    logical_id: str
    title: str
    description: str
    error_schema: str  # the component every error answers with
    error_media_type: str


PARTNER = Api(
    "PartnerApi",
    "Fashion OS Partner API",
    "Storefronts, products, inventory, orders and webhooks for fashion partners. Authenticate with an "
    "OAuth 2.0 client-credentials access token (`POST /oauth/token`); in the sandbox stage a sandbox key "
    "in `X-Api-Key` works too. Errors are RFC 9457 problem documents (`application/problem+json`) with "
    "a `request_id` and, where there is one, a stable `code`; OAuth endpoints answer RFC 6749 errors.",
    "Problem",
    PROBLEM_JSON,
)
INTEGRATION = Api(
    "IntegrationApi",
    "Fashion OS Dashboard Integration API",
    "Server-to-server usage metering for the legacy product system: AR/AI try-ons, API-key calls and "
    "product counts move the Dashboard's counters exactly once per `Idempotency-Key`. Every request "
    "carries the shared `handshake` token in its JSON body.",
    "Failure",
    JSON,
)
APIS = {"partner": PARTNER, "integration": INTEGRATION}


def _header(description: str, schema: dict[str, Any] | None = None, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema or {"type": "string"}}


# Every response header either API sends, once (operations refer to them).
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": _header("API Gateway's id of this request: quote it to support"),
    "API-Version": _header(
        "The API's version (major.minor.patch) that answered: CHANGELOG.md says what each version changed",
        {"type": "string", "const": __version__},
    ),
    "Deprecation": _header(
        "When this route (or a field the request sent) was deprecated: `@<epoch seconds>` (RFC 9745)"
    ),
    "Sunset": _header("When it stops working (RFC 8594): from then on it answers 410 with what replaces it"),
    "Link": _header('Its deprecation notice: `<url>; rel="deprecation"`'),
    "RateLimit-Policy": _header('The caller\'s quota: `"<tier>";q=<requests>;w=<seconds>`'),
    "RateLimit": _header('What is left of it: `"<tier>";r=<remaining>;t=<seconds to reset>`'),
    "X-RateLimit-Limit": _header("Requests per window (GitHub's header)", {"type": "integer"}),
    "X-RateLimit-Remaining": _header("Requests left in this window", {"type": "integer"}),
    "X-RateLimit-Reset": _header("When the window resets, in epoch seconds", {"type": "integer"}),
    "Retry-After": _header("Seconds to wait before retrying", {"type": "integer"}),
    "Retry-After-Conflict": _header(
        "Seconds to wait before retrying: sent only when the conflict passes "
        "(`idempotency_in_progress`, `contended`), not when retrying cannot help",
        {"type": "integer"},
        required=False,
    ),
    "ETag": _header("The object's version: send it as If-Match to change the object"),
    "Location": _header("Where the redirect goes"),
    "Location-Started": _header("The absolute URL of what was started: poll it (GET) for its status"),
    "Idempotent-Replayed": _header(
        "`true` when this is the stored response of an earlier request with the same Idempotency-Key",
        {"const": "true"},
        required=False,
    ),
    "WWW-Authenticate-Bearer": _header("The Bearer challenge (RFC 6750)"),
    "WWW-Authenticate-Basic": _header("The client authentication challenge (Basic, RFC 6749 §2.3.1)"),
}
RATE_LIMIT_HEADERS = (
    "RateLimit-Policy",
    "RateLimit",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


@dataclass(frozen=True)
class Documented:
    """One operation of the template: its route, its declaration, the method documented, whether it is
    public (no authorizer) and its operationId."""

    route: ApiRoute
    operation: Operation
    method: str
    public: bool
    operation_id: str


@dataclass
class Builder:
    api: Api
    schemas: dict[str, Any] = field(default_factory=dict)
    # Real responses of the local stack, by operationId and status (apispec/examples.py records them).
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- schemas -----------------------------------------------------------------------------------

    def ref(self, shape: Any, mode: str = "serialization") -> dict[str, Any]:
        """A ``$ref`` to ``shape``'s schema (a pydantic model or TypedDict), its definitions added."""
        if isinstance(shape, Page):
            return {
                "type": "object",
                "required": ["data", "has_more", "next_cursor"],
                "properties": {
                    "data": {"type": "array", "items": self.ref(shape.item)},
                    "has_more": {"type": "boolean", "description": "Whether another page follows"},
                    "next_cursor": {
                        "type": ["string", "null"],
                        "description": "The `cursor` of the next page (null on the last)",
                    },
                },
            }
        schema = TypeAdapter(shape).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        for name, definition in schema.pop("$defs", {}).items():
            self._add(name, definition)
        name = shape.__name__
        self._add(name, schema)
        return {"$ref": REF.format(model=name)}

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        schema = _clean(schema)
        known = self.schemas.setdefault(name, schema)
        if known != schema:
            raise ValueError(f"Two different schemas are both called {name}")

    # --- operations -------------------------------------------------------------------------------

    def operation(self, documented: Documented) -> dict[str, Any]:
        route, method, operation, public = (
            documented.route,
            documented.method,
            documented.operation,
            documented.public,
        )
        oauth = route.path.startswith("/oauth/")
        if self.api is PARTNER and not public and operation.scope is None:
            raise ValueError(f"{method} {route.path}: a /v1 route needs a scope")
        document: dict[str, Any] = {
            "operationId": documented.operation_id,
            "summary": operation.summary,
            "tags": [_tag(route.path)],
        }
        if operation.description:
            document["description"] = operation.description
        parameters = [self._parameter(param, "path") for param in operation.path]
        missing = set(re.findall(r"{(\w+)}", route.path)) - {param.name for param in operation.path}
        if missing:
            raise ValueError(f"{method} {route.path}: undeclared path parameter {sorted(missing)[0]}")
        parameters += [self._parameter(param, "query") for param in operation.query]
        idempotent = method == "POST" and (self.api is INTEGRATION or not public)
        if idempotent:
            parameters.append(_IDEMPOTENCY_KEY)
        if operation.if_match:
            parameters.append(_IF_MATCH)
        if parameters:
            document["parameters"] = parameters
        if operation.body is not None:
            media = "application/x-www-form-urlencoded" if oauth else JSON
            document["requestBody"] = {
                "required": operation.body_required,
                "content": {media: {"schema": self.ref(operation.body, "validation")}},
            }
        if self.api is PARTNER and not public:
            scopes = [operation.scope]
            document["security"] = [{"oauth2": scopes}, {"bearerAuth": scopes}, {"sandboxKey": []}]
            document["x-required-scope"] = operation.scope
        elif _session_route(route.path):
            document["security"] = [{"sessionToken": []}]
        elif oauth:
            document["security"] = [{"clientBasic": []}]  # client_secret_basic (or _post: the form's fields)
        else:
            document["security"] = []
        document["responses"] = self._responses(route, method, operation, public, idempotent, oauth)
        for status, example in self.examples.get(documented.operation_id, {}).items():
            for content in document["responses"][status].get("content", {}).values():
                content["example"] = example
        for deprecated in deprecation.registry():
            if deprecated.route == f"{method} {route.path}":
                self._deprecate(document, deprecated)
        return document

    def _deprecate(self, document: dict[str, Any], deprecated: deprecation.Deprecation) -> None:
        """Mark the operation (or its field) ``deprecated``, say until when and what replaces it, and add its
        headers and its 410."""
        what = "This operation" if deprecated.field is None else f"Its field `{deprecated.field}`"
        notice = (
            f"**Deprecated**: {what} is deprecated since {deprecated.deprecated_on}; from "
            f"{deprecated.sunset_on} it answers 410 Gone. Use {deprecated.replacement} instead "
            f"([notice]({deprecated.link}))."
        )
        document["description"] = f"{notice}\n\n{document.get('description', '')}".strip()
        if deprecated.field is None:
            document["deprecated"] = True
        for parameter in document.get("parameters", []):
            if parameter["name"] == deprecated.field and parameter["in"] == "query":
                parameter["deprecated"] = True
        body = document.get("requestBody", {}).get("content", {}).get(JSON, {}).get("schema", {})
        component = self.schemas.get(str(body.get("$ref", "")).rpartition("/")[2], {})
        if deprecated.field in component.get("properties", {}):
            component["properties"][deprecated.field]["deprecated"] = True
        responses = document["responses"]
        for response in responses.values():
            response.setdefault("headers", {}).update(
                {name: _ref(name) for name in ("Deprecation", "Sunset", "Link")}
            )
        gone = self._error_response(
            410, [f"past its sunset date: use {deprecated.replacement}"], False, False, False
        )
        responses["410"] = gone
        document["responses"] = dict(sorted(responses.items()))

    def _parameter(self, param: Param, where: str) -> dict[str, Any]:
        return {
            "name": param.name,
            "in": where,
            "required": param.required or where == "path",
            "description": param.description,
            "schema": dict(param.schema),
        }

    def _responses(
        self, route: ApiRoute, method: str, operation: Operation, public: bool, idempotent: bool, oauth: bool
    ) -> dict[str, Any]:
        # Counted by a rate limiter: the /v1 routes (per client) and the try-on front end's (per session).
        behind_authorizer = self.api is PARTNER and (not public or _session_route(route.path))
        responses: dict[str, Any] = {}
        for status, shape in sorted(operation.responses.items()):
            headers = self._headers(behind_authorizer)
            if operation.etag:
                headers["ETag"] = _ref("ETag")
            if idempotent:
                headers["Idempotent-Replayed"] = _ref("Idempotent-Replayed")
            if 300 <= status < 400:
                headers["Location"] = _ref("Location")
            elif operation.location:
                headers["Location"] = _ref("Location-Started")
            if status == 429:
                headers["Retry-After"] = _ref("Retry-After")
            response: dict[str, Any] = {"description": _reason(status), "headers": headers}
            if isinstance(shape, Content):
                response["content"] = {media: {"schema": dict(shape.schema)} for media in shape.media_types}
            elif shape is not None:
                response["content"] = {JSON: {"schema": self.ref(shape)}}
            responses[str(status)] = response
        session = self.api is PARTNER and _session_route(route.path)
        errors_ = self._errors(method, operation, public, idempotent, oauth, session)
        # A conflict that passes (another request still under way) says when to retry.
        transient = idempotent or any(issubclass(error, errors.Transient) for error in operation.errors)
        for status, described in sorted(errors_.items()):
            retry = status in (429, 503) or (status == 409 and transient)
            responses[str(status)] = self._error_response(status, described, behind_authorizer, oauth, retry)
        return responses

    def _headers(self, rate_limited: bool) -> dict[str, Any]:
        headers: dict[str, Any] = {"X-Request-Id": _ref("X-Request-Id"), "API-Version": _ref("API-Version")}
        if rate_limited:
            headers.update({name: _ref(name) for name in RATE_LIMIT_HEADERS})
        return headers

    def _errors(
        self,
        method: str,
        operation: Operation,
        public: bool,
        idempotent: bool,
        oauth: bool,
        session: bool = False,
    ) -> dict[int, list[str]]:
        """Each error status the route can answer, with what causes it."""
        causes: dict[int, list[str]] = {}

        def add(status: int, cause: str) -> None:
            causes.setdefault(status, [])
            if cause not in causes[status]:
                causes[status].append(cause)

        for error in operation.errors:
            add(self._status(error, oauth), _cause(error))
        if oauth:
            return causes
        if idempotent:
            add(400, "The Idempotency-Key is not 1-255 printable ASCII characters")
            add(409, _cause(errors.IdempotencyInProgress))
            add(422, _cause(errors.IdempotencyKeyReused))
        if self.api is INTEGRATION and method == "POST":
            add(400, "The body is not a JSON object of this route's fields (which field is wrong is said)")
            add(401, "The handshake is missing or wrong")
            add(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB")
            add(429, "Too many requests from this address: retry after `Retry-After` seconds")
            return causes
        if operation.query or not public or session:
            add(400, "A query parameter is unknown or invalid")
        if operation.body is not None or (method in ("POST", "PUT", "PATCH") and not public):
            add(400, "The body is not a JSON object of this route's fields (which field is wrong is said)")
            add(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB")
        if operation.body is not None and not public:
            add(422, _cause(errors.InvalidCombination))
        if operation.if_match and 412 not in causes:
            add(412, "If-Match names another version than the object's current one (code `version_mismatch`)")
        if not public:
            add(401, "Missing, invalid, expired or revoked credentials")
            add(403, _cause(errors.InsufficientScope))
            add(429, "The client's rate limit is exceeded: retry after `Retry-After` seconds")
            add(503, "A dependency is unavailable: retry after `Retry-After` seconds")
        if session:
            add(401, "Missing, invalid or expired session token, or the session was revoked")
            add(429, "The session's rate limit is exceeded: retry after `Retry-After` seconds")
            add(503, "A dependency is unavailable: retry after `Retry-After` seconds")
        return causes

    def _status(self, error: type[errors.DomainError], oauth: bool) -> int:
        """The status the route's pipeline answers ``error`` with (its kind's, in that API's mapping)."""
        if self.api is INTEGRATION:
            status = errors.kind_of(error, INTEGRATION_STATUS)
        elif oauth and issubclass(error, errors.OAuthError):
            status = oauth_error_status(error)
        else:
            mapped = errors.kind_of(error, PROBLEMS)
            status = mapped[0] if mapped else None
        if status is None:
            raise ValueError(f"{error.__name__} has no status")
        return status

    def _error_response(
        self, status: int, causes: list[str], rate_limited: bool, oauth: bool, retry: bool
    ) -> dict[str, Any]:
        # The authorizer's 401 and a 503 come before the rate limiter has counted the request.
        headers = self._headers(rate_limited and status not in (401, 503))
        if retry:
            headers["Retry-After"] = _ref("Retry-After-Conflict" if status == 409 else "Retry-After")
        if status == 401 and self.api is PARTNER:
            headers["WWW-Authenticate"] = _ref(
                "WWW-Authenticate-Basic" if oauth else "WWW-Authenticate-Bearer"
            )
        if oauth:
            schema, media = self.ref(OAuthErrorBody), JSON
        elif self.api is INTEGRATION:
            schema, media = self.ref(Failure), JSON
        else:
            schema, media = self.ref(Problem), PROBLEM_JSON
        description = _reason(status) + ": " + "; ".join(causes)
        return {"description": description, "headers": headers, "content": {media: {"schema": schema}}}

    # --- the document -----------------------------------------------------------------------------

    def document(self, operations: Iterable[Documented]) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for documented in operations:
            paths.setdefault(documented.route.path, {})[documented.method.lower()] = self.operation(
                documented
            )
        document: dict[str, Any] = {
            "openapi": OPENAPI,
            "info": {"title": self.api.title, "version": __version__, "description": self.api.description},
            "servers": [{"url": "/", "description": "This API (its stage's base URL)"}],
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": dict(sorted(self.schemas.items())), "headers": HEADERS},
        }
        if self.api is PARTNER:
            document["components"]["securitySchemes"] = _partner_security()
        _link(paths)
        return document


def _link(paths: dict[str, dict[str, Any]]) -> None:
    """OpenAPI links, for clients and for schemathesis' stateful phase (create, then read, change, delete
    what was created; read what was deleted): derived from the paths, the REST way.

    - a create (POST ``P``, 201) links to every operation under ``P/{id}``: ``id`` from its response;
    - a DELETE of ``P/{id}`` links to the GET of ``P/{id}`` (which must then be 404, or say archived).
    Every other path parameter of the target comes from the request's own."""
    for path, methods in paths.items():
        created = methods.get("post", {}).get("responses", {}).get("201")
        if created:
            for target, operations in paths.items():
                match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}(/.*)?", target)
                if match:
                    for operation in operations.values():
                        parameters = _carried(path) | {match.group(1): "$response.body#/id"}
                        _add_link(created, operation, parameters)
        deleted = methods.get("delete", {}).get("responses", {})
        gone = deleted.get("204") or deleted.get("200")
        if gone and "get" in methods:
            _add_link(gone, methods["get"], _carried(path))


def _carried(path: str) -> dict[str, str]:
    return {name: f"$request.path.{name}" for name in re.findall(r"{(\w+)}", path)}


def _add_link(response: dict[str, Any], target: dict[str, Any], parameters: dict[str, str]) -> None:
    operation_id = target["operationId"]
    wanted = {param["name"] for param in target.get("parameters", []) if param["in"] == "path"}
    if not wanted <= set(parameters):
        return  # a link gives every path parameter, or there is none
    response.setdefault("links", {})[operation_id[0].upper() + operation_id[1:]] = {
        "operationId": operation_id,
        "parameters": {f"path.{name}": value for name, value in sorted(parameters.items()) if name in wanted},
    }


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the first response is stored with the change and replayed to a "
    f"request with the same key and body for {IDEMPOTENCY_TTL_SECONDS // 3600} hours "
    "(Idempotent-Replayed: true); the same key with another body is 422, and while the first request "
    "still runs, 409",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of the version this change is based on: 412 if the object has changed since",
    "schema": {"type": "string"},
}


def _session_route(path: str) -> bool:
    """The try-on front end's routes: authenticated by a session token, not by the authorizer."""
    return path.startswith("/tryon/")


def _partner_security() -> dict[str, Any]:
    return {
        "sessionToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A try-on session's `session_token` (from POST /v1/tryon/sessions), for the "
            "try-on front end's /tryon routes only: access tokens are refused there, session tokens "
            "everywhere else",
        },
        "oauth2": {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials (RFC 6749 §4.4): a 1-hour RS256 access token "
            "carrying the scopes the client was granted; each operation names the one it requires.",
            "flows": {
                "clientCredentials": {"tokenUrl": "oauth/token", "scopes": dict(sorted(SCOPES.items()))}
            },
        },
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from POST /oauth/token, sent as `Authorization: Bearer <token>` "
            "(the same tokens as oauth2: for clients and tools that take a token rather than run the flow)",
        },
        "clientBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "An OAuth client's id and secret (client_secret_basic, RFC 6749 §2.3.1), for the "
            "/oauth endpoints; they also take them as the form's client_id and client_secret",
        },
        "sandboxKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "A sandbox key (`sk_sandbox_...`): accepted in the sandbox stage only, with the "
            "scopes it was created with",
        },
    }


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    """pydantic's schema as OpenAPI 3.1 shows it: without the titles it gives every property."""
    if isinstance(schema, dict):
        cleaned = {k: _clean(v) for k, v in schema.items() if k != "title" or not isinstance(v, str)}
        if "properties" in schema:
            cleaned["properties"] = {k: _clean(v) for k, v in schema["properties"].items()}
        return cleaned
    if isinstance(schema, list):
        return [_clean(item) for item in schema]
    return schema


def _cause(error: type[errors.DomainError]) -> str:
    """The error's docstring's first paragraph, as one line."""
    doc = " ".join((error.__doc__ or error.__name__).strip().split("\n\n")[0].split()).rstrip(".")
    return f"{doc} (code `{error.code}`)" if error.code else doc


def _reason(status: int) -> str:
    from http import HTTPStatus

    return {413: "Content Too Large", 422: "Unprocessable Content"}.get(status, HTTPStatus(status).phrase)


def _operation_id(route: ApiRoute, shared: bool) -> str:
    """The function's name (``GetStorefrontFunction``: ``getStorefront``); a function ``shared`` by several
    routes adds each route's last segment (``partnerDocsOpenapiJson``); a HEAD route, which shares its
    GET's function, adds ``Head``."""
    name = route.function.removesuffix("Function")
    if shared:
        last = route.path.rstrip("/").split("/")[-1].strip("{}")
        name += "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", last))
    if route.method == "HEAD":
        name += "Head"
    return name[0].lower() + name[1:]


def _tag(path: str) -> str:
    parts = [part for part in path.split("/") if part and not part.startswith("{")]
    if parts[:2] == ["api", "v1"]:
        return "usage"
    if parts[0] in ("oauth", ".well-known"):
        return "oauth"
    if parts[0] in ("openapi.json", "docs"):
        return "docs"
    if parts[0] == "r":  # the affiliate links' short URLs
        return "affiliates"
    return parts[1] if len(parts) > 1 else parts[0]


def _routes(local: LocalTemplate, api: Api) -> list[Documented]:
    functions = local.functions()
    found = []
    for route in local.routes():
        if route.api != api.logical_id:
            continue
        module = importlib.import_module(functions[route.function].module)
        if getattr(module, "METHOD_FALLBACK", False):
            continue  # a path's 405 for the methods it has no route for: not an operation
        shared = hasattr(module, "OPERATIONS")  # one function, several routes
        operation = getattr(module, "OPERATIONS", {}).get(route.path) or getattr(module, "OPERATION", None)
        if not isinstance(operation, Operation):
            raise ValueError(f"{route.function}: its handler module declares no OPERATION for {route.path}")
        methods = getattr(module, "METHODS", None) or (
            ("POST",) if route.method == "ANY" else (route.method,)
        )
        for method in methods:
            public = route.authorizer is None
            found.append(Documented(route, operation, method, public, _operation_id(route, shared)))
    return found


def documents() -> dict[str, dict[str, Any]]:
    """Both APIs' documents, by name (``partner``, ``integration``)."""
    local = LocalTemplate(load_template(), "openapi")
    examples = recorded_examples()
    return {name: Builder(api, examples=examples).document(_routes(local, api)) for name, api in APIS.items()}


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


__all__ = ["APIS", "PROBLEM_TYPES", "documents", "render"]
