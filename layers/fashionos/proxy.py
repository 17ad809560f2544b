"""What every API's pipeline does with an API Gateway REST proxy event (v1), in one place."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fashionos import __version__, retry
from fashionos.errors import InvalidRequest
from fashionos.jsonbody import is_unicode
from fashionos.observability import logger, metrics

if TYPE_CHECKING:  # the runtime import pulls in all of Powertools' top-level package
    from aws_lambda_powertools.utilities.typing import LambdaContext

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]


def request_id(event: Mapping[str, Any]) -> str:
    """API Gateway's request id (a fresh one when invoked without it, e.g. by hand)."""
    return str((event.get("requestContext") or {}).get("requestId") or uuid.uuid4())


def lower_headers(event: Mapping[str, Any]) -> dict[str, str]:
    """Header names lower-cased (HTTP names ignore case; API Gateway passes them as sent);
    ``InvalidRequest`` for one that is not valid Unicode."""
    return strings(event.get("headers"), "header", lower=True)


def strings(values: Mapping[str, Any] | None, what: str, *, lower: bool = False) -> dict[str, str]:
    """The string members of the event's ``headers``, ``queryStringParameters`` or ``pathParameters``.

    A name or value that is not valid Unicode (a lone surrogate: no HTTP request has one, but an event is
    JSON and can) is ``InvalidRequest``, before it can reach a hash, a comparison or a log."""
    result = {(k.lower() if lower else k): v for k, v in (values or {}).items() if isinstance(v, str)}
    if not all(is_unicode(name) and is_unicode(value) for name, value in result.items()):
        raise InvalidRequest(f"A {what} of the request is not valid Unicode")
    return result


def body_bytes(event: Mapping[str, Any]) -> bytes:
    """The body as bytes; ``InvalidRequest`` when the event says base64 and it is not. A text body's lone
    surrogates stay in as bytes no UTF-8 decoder accepts, so that the body parser refuses them."""
    raw = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(raw).encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("Request body is not valid base64") from None


def lambda_entrypoint(handle: Callable[[dict[str, Any]], dict[str, Any]]) -> LambdaHandler:
    """A Lambda handler around ``handle``: logger context (correlation id = request id), metrics flush,
    retries that stop in time to answer (``retry.deadline``), and every HTTP response's ``API-Version`` (the
    package's version: major.minor.patch)."""

    @logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        with retry.deadline(context):
            response = handle(event)
        if "statusCode" in response:  # not an authorizer's policy
            response["headers"] = {**(response.get("headers") or {}), "API-Version": __version__}
        return response

    return lambda_handler
