"""What every API's pipeline does with an API Gateway REST proxy event (v1), in one place."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fashionos.observability import logger, metrics

if TYPE_CHECKING:  # the runtime import pulls in all of Powertools' top-level package
    from aws_lambda_powertools.utilities.typing import LambdaContext

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]


class BadBody(ValueError):
    """The event says its body is base64, and it is not."""


def request_id(event: Mapping[str, Any]) -> str:
    """API Gateway's request id (a fresh one when invoked without it, e.g. by hand)."""
    return str((event.get("requestContext") or {}).get("requestId") or uuid.uuid4())


def lower_headers(event: Mapping[str, Any]) -> dict[str, str]:
    """Header names lower-cased (HTTP names ignore case; API Gateway passes them as sent)."""
    return {k.lower(): v for k, v in (event.get("headers") or {}).items() if isinstance(v, str)}


def body_bytes(event: Mapping[str, Any]) -> bytes:
    raw = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(raw).encode()
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise BadBody("Request body is not valid base64") from None


def lambda_entrypoint(handle: Callable[[dict[str, Any]], dict[str, Any]]) -> LambdaHandler:
    """A Lambda handler around ``handle``: logger context (correlation id = request id), metrics flush."""

    @logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return handle(event)

    return lambda_handler
