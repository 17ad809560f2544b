"""The public redirect's pipeline (``GET``/``HEAD /r/{code}``): no credentials, no JSON, a browser on the
other end. It answers a 302 to the link's destination, or a small HTML page (404: unknown, disabled or
expired; 429: the address's limit, with ``Retry-After``), never a redirect to anywhere else: the request's
own query string and headers never reach the ``Location``. Every answer carries ``X-Request-Id`` and is
never cached (each GET is a click)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fashionos import proxy
from fashionos.errors import RateLimited
from fashionos.observability import logger

# What every answer says to the browser: not to keep it, and to send the destination only our origin.
HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}
PAGE_HEADERS: Mapping[str, str] = {
    **HEADERS,
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
}
# (code, client IP, user agent, whether to count) -> the Location, or None (no such live link).
Follow = Callable[[str, str, "str | None", bool], "str | None"]


def page(title: str, text: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    )


NOT_FOUND = page("Link not found", "This link does not exist or is no longer active.")
TOO_MANY = page("Too many requests", "Please wait a moment, then try the link again.")
FAILED = page("Something went wrong", "Please try the link again in a moment.")


def _header(event: Mapping[str, Any], name: str) -> str | None:
    return next((str(v) for k, v in (event.get("headers") or {}).items() if str(k).lower() == name), None)


def redirect_entrypoint(follow: Follow) -> proxy.LambdaHandler:
    """The Lambda handler of ``GET``/``HEAD /r/{code}`` (the template routes no other method to it):
    ``follow`` resolves the code, and counts a GET."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        request_id = proxy.request_id(event)

        def reply(status: int, headers: Mapping[str, str], body: str = "") -> dict[str, Any]:
            return {"statusCode": status, "headers": {"X-Request-Id": request_id, **headers}, "body": body}

        code = str((event.get("pathParameters") or {}).get("code") or "")
        identity = (event.get("requestContext") or {}).get("identity") or {}
        try:
            location = follow(
                code,
                str(identity.get("sourceIp") or ""),
                _header(event, "user-agent"),
                event.get("httpMethod") == "GET",  # HEAD: where it goes, not counted
            )
        except RateLimited as error:
            return reply(429, {**PAGE_HEADERS, "Retry-After": str(error.retry_after)}, TOO_MANY)
        except Exception:
            logger.exception("Redirect failed")
            return reply(500, PAGE_HEADERS, FAILED)
        if location is None:
            return reply(404, PAGE_HEADERS, NOT_FOUND)
        return reply(302, {**HEADERS, "Location": location})

    return proxy.lambda_entrypoint(handle)
