"""Each API's OpenAPI document and interactive reference, served by the API itself (no CDN).

- ``GET <base>/openapi.json``: the committed document (``partner.json``, ``integration.json``, written by
  ``make openapi``) with ``servers`` and the OAuth token URL made absolute for the stage that serves it;
- ``GET <base>/docs``: Swagger UI, its assets (``GET <base>/docs/{asset}``) from the ``swagger-ui-py``
  distribution in the layer, so "Try it" calls the stage the page came from.

``<base>`` is ``/`` for the Partner API and ``/api/v1/integration`` for the Integration API (on AWS each
API has a host of its own; the local stack serves both on one). Responses are public and cacheable, with a
strong ``ETag`` (``If-None-Match`` gets 304).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fashionos import proxy
from fashionos.contract import Content, Operation, Param
from fashionos.errors import RouteNotFound

ApiName = Literal["partner", "integration"]
HERE = Path(__file__).parent
TITLES: Mapping[ApiName, str] = {
    "partner": "Fashion OS Partner API",
    "integration": "Fashion OS Integration API",
}
# The files the page loads: ours, and Swagger UI's (what each is, as Content-Type).
OWN_ASSETS = {"docs.js": "text/javascript; charset=utf-8"}
SWAGGER_UI_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
}
ASSETS = {**OWN_ASSETS, **SWAGGER_UI_ASSETS}
DOCUMENT_CACHE = "public, max-age=300"
ASSET_CACHE = "public, max-age=86400"
# Swagger UI styles some elements inline; everything else comes from this origin.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


@cache
def _swagger_ui_static() -> Path:
    """Swagger UI's files, found without importing the ``swagger_ui`` package (it would load jinja2)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@cache
def committed_document(api: ApiName) -> str:
    return (HERE / f"{api}.json").read_text()


def document(api: ApiName, base_url: str) -> bytes:
    """The API's OpenAPI document as served at ``base_url`` (its stage's absolute URLs filled in)."""
    doc: dict[str, Any] = json.loads(committed_document(api))
    doc["servers"] = [{"url": base_url, "description": "This stage"}]
    oauth = doc.get("components", {}).get("securitySchemes", {}).get("oauth2")
    if oauth:
        flow = oauth["flows"]["clientCredentials"]
        flow["tokenUrl"] = f"{base_url}/{flow['tokenUrl'].lstrip('/')}"
    return json.dumps(doc, indent=2, ensure_ascii=False).encode()


def page(api: ApiName) -> bytes:
    """The reference page: every URL relative, so it works under any stage and base path. Its empty icon
    keeps the browser from asking for ``/favicon.ico``, which no API serves (a 404 in the console)."""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{TITLES[api]} reference</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/docs.js"></script>
</body>
</html>
""".encode()


def asset(name: str) -> bytes | None:
    if name in OWN_ASSETS:
        return (HERE / name).read_bytes()
    if name in SWAGGER_UI_ASSETS:
        return (_swagger_ui_static() / name).read_bytes()
    return None


def cached(body: bytes, content_type: str, cache_control: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """A public, cacheable 200 (a text body): 304 when ``If-None-Match`` names its ``ETag``."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "Content-Type": content_type,
        "Cache-Control": cache_control,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "X-Request-Id": proxy.request_id(event),
    }
    if content_type.startswith("text/html"):
        headers["Content-Security-Policy"] = PAGE_POLICY
    if etag in (tag.strip() for tag in _header(event, "if-none-match").split(",")):
        return {"statusCode": 304, "headers": headers, "body": ""}
    return {"statusCode": 200, "headers": headers, "body": body.decode()}


def _header(event: Mapping[str, Any], name: str) -> str:
    return next((str(v) for k, v in (event.get("headers") or {}).items() if k.lower() == name), "")


def operations(base: str) -> dict[str, Operation]:
    """The contract of the documentation routes under ``base`` (``""`` or ``/api/v1/integration``)."""
    asset_param = Param("asset", "A file of the reference page", {"enum": sorted(ASSETS)}, required=True)
    openapi = {"type": "object", "description": "An OpenAPI 3.1 document"}
    text = {"type": "string"}
    files = tuple(sorted({media.split(";")[0] for media in ASSETS.values()}))
    # 304: If-None-Match named the ETag the body has
    return {
        f"{base}/openapi.json": Operation(
            "This API's OpenAPI 3.1 document",
            responses={200: Content(("application/json",), openapi), 304: None},
            etag=True,
        ),
        f"{base}/docs": Operation(
            "The interactive API reference (Swagger UI)",
            responses={200: Content(("text/html",), text), 304: None},
            etag=True,
        ),
        f"{base}/docs/{{asset}}": Operation(
            "A file of the reference page",
            path=(asset_param,),
            responses={200: Content(files, text), 304: None},
            errors=(RouteNotFound,),
            etag=True,
        ),
    }


def docs_entrypoint(
    api: ApiName,
    *,
    base_url: Callable[[Mapping[str, Any]], str],
    not_found: Callable[[str], dict[str, Any]],
) -> proxy.LambdaHandler:
    """The handler of an API's three documentation routes (``/openapi.json``, ``/docs``, ``/docs/{asset}``);
    ``not_found`` answers an unknown asset in the API's error format."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        resource = str(event.get("resource") or "")
        if resource.endswith("/openapi.json"):
            return cached(document(api, base_url(event)), "application/json", DOCUMENT_CACHE, event)
        if resource.endswith("/docs"):
            return cached(page(api), "text/html; charset=utf-8", DOCUMENT_CACHE, event)
        name = str((event.get("pathParameters") or {}).get("asset") or "")
        body = asset(name)
        if body is None:
            return not_found(proxy.request_id(event))
        return cached(body, ASSETS[name], ASSET_CACHE, event)

    return proxy.lambda_entrypoint(handle)


@cache
def allowed_methods(api: ApiName, resource: str) -> str:
    """The methods the API's document gives ``resource`` (a template path), as an ``Allow`` value (read
    once per container and path: the document does not change under a running function)."""
    methods = json.loads(committed_document(api))["paths"].get(resource, {})
    return ", ".join(sorted(method.upper() for method in methods))


def method_fallback(api: ApiName, refuse: Callable[[str, str, str], dict[str, Any]]) -> proxy.LambdaHandler:
    """The handler of a path's ``ANY`` route, which API Gateway sends every method the path has no route
    for: OPTIONS is 204 and any other method 405, both with ``Allow`` (the methods the document gives the
    path). ``refuse(method, allow, request_id)`` answers the 405 in the API's error format."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        allow = allowed_methods(api, str(event.get("resource") or ""))
        request_id = proxy.request_id(event)
        if event.get("httpMethod") == "OPTIONS":
            headers = {"Allow": allow, "Cache-Control": "no-store", "X-Request-Id": request_id}
            return {"statusCode": 204, "headers": headers, "body": ""}
        return refuse(str(event.get("httpMethod") or ""), allow, request_id)

    return proxy.lambda_entrypoint(handle)


def stage_url(event: Mapping[str, Any]) -> str:
    """The base URL of the stage that received ``event``: scheme and host as the client sent them, and the
    stage (or custom domain base path) that API Gateway's ``requestContext.path`` has before the route."""
    context = event.get("requestContext") or {}
    host = context.get("domainName") or _header(event, "host")
    scheme = _header(event, "x-forwarded-proto") or "https"
    full, path = str(context.get("path") or ""), str(event.get("path") or "")
    prefix = full[: len(full) - len(path)] if path and full.endswith(path) else ""
    return f"{scheme}://{host}{prefix}"
