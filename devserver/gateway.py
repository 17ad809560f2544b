"""The dev gateway: API Gateway (REST, v1 proxy events) in front of the real handlers, from the template.

Routes come from each function's ``Api`` events; a request no route matches gets the API's
``MISSING_AUTHENTICATION_TOKEN`` gateway response, as on AWS. A route behind a Lambda REQUEST authorizer
gets it run first, as API Gateway does: a missing identity source or an ``Unauthorized`` error is
``UNAUTHORIZED`` (401), a policy that does not allow the method ARN is ``ACCESS_DENIED`` (403), any other
failure ``AUTHORIZER_FAILURE`` (500); results are cached per identity-source values for the authorizer's
TTL, and the policy's ``context`` reaches the handler as ``requestContext.authorizer``.

On AWS each API has a host of its own; here they share one, so an unrouted request belongs to the API whose
routes' common path prefix is the longest prefix of its path (``/api/v1/integration/...`` →
IntegrationApi; ``/anything`` → PartnerApi, whose routes share only ``/``). Handlers run in this process,
one thread per request, like concurrent Lambda containers sharing one warm module.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devserver.iam import ACCOUNT_ID
from devserver.lambda_runtime import FunctionRuntime, Handler, InProcessFunctions
from devserver.template import ApiRoute, Authorizer, LocalTemplate

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's own limit
MAX_TIMEOUT_SECONDS = 900  # Lambda's longest: a context made without a deadline (by a test) has that long
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_TIMEOUT_SECONDS)
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


GatewayReply = tuple[int, dict[str, str], bytes]


class Gateway:
    def __init__(
        self,
        local: LocalTemplate,
        functions: FunctionRuntime | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``functions`` runs the template's functions (default: their handlers in this process)."""
        self.local = local
        self.stage = local.parameters.get("Stage", "local")
        self.routes = local.routes()
        self.functions = functions or InProcessFunctions(local)
        self._timeouts = {name: spec.timeout_seconds for name, spec in local.functions().items()}
        self._api_prefixes = _api_prefixes(self.routes)
        # (api, authorizer name) -> the authorizer, read from the template once
        self.authorizers = {
            (route.api, route.authorizer): local.authorizer(route.api, route.authorizer)
            for route in self.routes
            if route.authorizer
        }
        self._clock = clock
        self._auth_cache: dict[tuple[str, str, tuple[str, ...]], tuple[float, dict[str, Any]]] = {}
        self._auth_lock = threading.Lock()

    def handler(self, function: str) -> Handler:
        return self.functions.handler(function)

    def invoke(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> GatewayReply:
        request_id = str(uuid.uuid4())
        url = urlsplit(raw_path)
        if len(body) > MAX_PAYLOAD_BYTES:
            return self._gateway_response(self.api_for(url.path), "REQUEST_TOO_LARGE", request_id, 413)
        selected = self._route(url.path, method)
        if selected is None:
            api = self.api_for(url.path)
            return self._gateway_response(api, "MISSING_AUTHENTICATION_TOKEN", request_id, 403)
        route, params = selected
        event = _proxy_event(route, params, method, url.path, url.query, headers, body, source_ip)
        event["requestContext"].update(requestId=request_id, stage=self.stage)
        if route.authorizer:
            authorized = self._authorize(route, self.authorizers[route.api, route.authorizer], event)
            if not isinstance(authorized, dict):
                return authorized
            event["requestContext"]["authorizer"] = authorized
        context = self._context(route.function, request_id)
        try:
            result = self.handler(route.function)(event, context)
        except Exception:  # what API Gateway answers when the integration fails
            logging.getLogger("devserver").exception("%s failed", route.function)
            return self._gateway_response(route.api, "DEFAULT_5XX", request_id, 502)
        if not _is_proxy_response(result):  # API Gateway: "Malformed Lambda proxy response"
            logging.getLogger("devserver").error("%s returned no proxy response", route.function)
            return self._gateway_response(route.api, "DEFAULT_5XX", request_id, 502)
        return _http_response(result)

    def _route(self, path: str, method: str) -> tuple[ApiRoute, dict[str, str]] | None:
        """The route API Gateway picks: the most specific resource matching ``path`` (a literal segment
        before a ``{parameter}``, that before a greedy ``{proxy+}``), then its ``method``, else its
        ``ANY``."""
        matching = [(route, params) for route in self.routes if (params := route.matches(path)) is not None]
        if not matching:
            return None
        resource = min(_specificity(route.path) for route, _ in matching)
        on_resource = [(route, params) for route, params in matching if _specificity(route.path) == resource]
        for wanted in (method, "ANY"):
            for route, params in on_resource:
                if route.method == wanted:
                    return route, params
        return None

    def _authorize(
        self, route: ApiRoute, authorizer: Authorizer, event: dict[str, Any]
    ) -> dict[str, Any] | GatewayReply:
        """The authorizer's context (with ``principalId``) for ``event``, or the response refusing it."""
        request_id = event["requestContext"]["requestId"]
        sent = {name.lower(): value for name, value in (event["headers"] or {}).items()}
        identity = tuple(sent.get(name.lower(), "") for name in authorizer.identity_headers)
        if not all(identity):
            return self._gateway_response(route.api, "UNAUTHORIZED", request_id, 401)
        api_arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{route.api}"
        method_arn = f"{api_arn}/{self.stage}/{event['httpMethod']}{event['path']}"
        key = (route.api, authorizer.name, identity)
        with self._auth_lock:
            cached = self._auth_cache.get(key) if authorizer.ttl_seconds else None
        result = cached[1] if cached and cached[0] > self._clock() else None
        if result is None:
            authorizer_event = {k: v for k, v in event.items() if k not in ("body", "isBase64Encoded")}
            authorizer_event.update(type="REQUEST", methodArn=method_arn)
            context = self._context(authorizer.function, request_id)
            try:
                result = self.handler(authorizer.function)(authorizer_event, context)
            except Exception as error:
                if str(error) == "Unauthorized":
                    return self._gateway_response(route.api, "UNAUTHORIZED", request_id, 401)
                logging.getLogger("devserver").exception("%s failed", authorizer.function)
                return self._gateway_response(route.api, "AUTHORIZER_FAILURE", request_id, 500)
            if authorizer.ttl_seconds:
                with self._auth_lock:
                    self._auth_cache[key] = (self._clock() + authorizer.ttl_seconds, result)
        if not _policy_allows(result.get("policyDocument") or {}, method_arn):
            return self._gateway_response(route.api, "ACCESS_DENIED", request_id, 403)
        return {**(result.get("context") or {}), "principalId": result.get("principalId")}

    def _context(self, function: str, request_id: str) -> LambdaContext:
        return LambdaContext(function, request_id, deadline=time.monotonic() + self._timeouts[function])

    def api_for(self, path: str) -> str:
        """The API an unrouted ``path`` belongs to: the longest matching route prefix (first API on a tie)."""
        segments = [part for part in path.split("/") if part]
        best, best_length = "", -1
        for api, prefix in self._api_prefixes.items():
            if segments[: len(prefix)] == prefix and len(prefix) > best_length:
                best, best_length = api, len(prefix)
        return best

    def _gateway_response(self, api: str, kind: str, request_id: str, default_status: int) -> GatewayReply:
        status, headers, body = self.local.gateway_response(api, kind, default_status, request_id)
        return status, headers, body.encode()


def _policy_allows(policy: dict[str, Any], method_arn: str) -> bool:
    """IAM evaluation of an authorizer's policy for ``execute-api:Invoke`` on ``method_arn``: an explicit
    Deny wins, otherwise some Allow must match (``*`` and ``?`` wildcards)."""

    def listed(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    def matches(statement: dict[str, Any]) -> bool:
        actions = listed(statement.get("Action"))
        resources = listed(statement.get("Resource"))
        return any(_wildcard(str(a)).fullmatch("execute-api:Invoke") for a in actions) and any(
            _wildcard(str(r)).fullmatch(method_arn) for r in resources
        )

    statements = [s for s in listed(policy.get("Statement", [])) if isinstance(s, dict) and matches(s)]
    effects = {s.get("Effect") for s in statements}
    return "Allow" in effects and "Deny" not in effects


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."))


def _api_prefixes(routes: list[ApiRoute]) -> dict[str, list[str]]:
    """Each API's routes' longest common leading path segments (path parameters end a prefix)."""
    prefixes: dict[str, list[str]] = {}
    for route in routes:
        segments = [part for part in route.path.split("/") if part]
        segments = segments[: next((i for i, s in enumerate(segments) if "{" in s), len(segments))]
        known = prefixes.setdefault(route.api, segments)
        shared = 0
        while shared < min(len(known), len(segments)) and known[shared] == segments[shared]:
            shared += 1
        prefixes[route.api] = known[:shared]
    return prefixes


def _proxy_event(
    route: ApiRoute,
    params: dict[str, str],
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
) -> dict[str, Any]:
    multi_query = parse_qs(query, keep_blank_values=True)
    # What API Gateway adds to every request it forwards: the connection's address appended to the
    # X-Forwarded-For the client sent (which a client can forge), and the protocol (here plain HTTP).
    sent = _header(headers, "x-forwarded-for")
    headers = {k: v for k, v in headers.items() if k.lower() not in ("x-forwarded-for", "x-forwarded-proto")}
    headers |= {"X-Forwarded-For": f"{sent}, {source_ip}" if sent else source_ip, "X-Forwarded-Proto": "http"}
    try:
        text, is_base64 = body.decode(), False
    except UnicodeDecodeError:
        text, is_base64 = base64.b64encode(body).decode(), True
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": path,
            "stage": "local",  # the gateway sets its stage
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "accountId": "123456789012",
            "apiId": route.api,
            "domainName": _header(headers, "host"),
            "identity": {"sourceIp": source_ip, "userAgent": _header(headers, "user-agent") or None},
        },
        "body": text if body else None,
        "isBase64Encoded": is_base64,
    }


def _specificity(path: str) -> tuple[int, ...]:
    """Sorts resources as API Gateway prefers them, per segment: literal, ``{parameter}``, ``{proxy+}``."""
    return tuple(2 if part.endswith("+}") else 1 if part.startswith("{") else 0 for part in path.split("/"))


def _header(headers: dict[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _is_proxy_response(result: Any) -> bool:
    """What API Gateway takes from a Lambda proxy integration: an object with an integer ``statusCode``
    and a string ``body`` (or none), nothing else."""
    allowed = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
    return (
        isinstance(result, dict)
        and result.keys() <= allowed
        and type(result.get("statusCode")) is int
        and isinstance(result.get("body", ""), str | None)
    )


def _http_response(result: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(str(v) for v in values)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return int(result.get("statusCode", 200)), headers, data


class GatewayServer(ThreadingHTTPServer):
    """The dev gateway over HTTP; ``gateway`` may be set after the socket is bound (its port is known)."""

    daemon_threads = True
    request_queue_size = 1024
    verbose = False
    gateway: Gateway


def make_server(gateway: Gateway | None, host: str, port: int) -> GatewayServer:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, each response waits for a delayed ACK.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, data = server.gateway.invoke(
                self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            if server.verbose:
                super().log_message(format, *args)

    for method in METHODS:
        setattr(RequestHandler, f"do_{method}", RequestHandler._serve)

    server = GatewayServer((host, port), RequestHandler)
    if gateway is not None:
        server.gateway = gateway
    return server
