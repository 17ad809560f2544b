"""CloudFormation custom resources backed by a Lambda function: the request, and the response it waits for.

CloudFormation sends ``Create``, ``Update`` or ``Delete`` with a pre-signed S3 ``ResponseURL`` and waits (up
to an hour) for a PUT of the outcome there. So the handler answers every request, failures included:
a deploy then fails at once with the reason, rather than hanging; the reason never holds a secret.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fashionos.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

RequestType = Literal["Create", "Update", "Delete"]
RESPONSE_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class CustomResourceRequest:
    request_type: RequestType
    logical_id: str
    properties: Mapping[str, Any]  # ResourceProperties (ServiceToken included, strings as in the template)
    physical_id: str | None  # None on Create


@dataclass(frozen=True, slots=True)
class CustomResourceResult:
    physical_id: str  # the same one on every later request keeps CloudFormation from replacing the resource
    data: Mapping[str, str] = field(default_factory=dict)  # what Fn::GetAtt reads


def custom_resource_entrypoint(
    handle: Callable[[CustomResourceRequest], CustomResourceResult],
) -> Callable[[dict[str, Any], LambdaContext], None]:
    """The Lambda handler of a custom resource whose requests ``handle`` fulfils."""

    @logger.inject_lambda_context
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
        response: dict[str, Any] = {
            "StackId": event.get("StackId"),
            "RequestId": event.get("RequestId"),
            "LogicalResourceId": event.get("LogicalResourceId"),
        }
        try:
            request = CustomResourceRequest(
                request_type=event["RequestType"],
                logical_id=event["LogicalResourceId"],
                properties=event.get("ResourceProperties") or {},
                physical_id=event.get("PhysicalResourceId"),
            )
            result = handle(request)
            response |= {"Status": "SUCCESS", "PhysicalResourceId": result.physical_id}
            response["Data"] = dict(result.data)
        except Exception:
            logger.exception("Custom resource request failed", request_type=event.get("RequestType"))
            response |= {
                "Status": "FAILED",
                "Reason": f"See CloudWatch Logs: {context.log_group_name} {context.log_stream_name}",
                # A failed Create has no resource yet; a failed Update or Delete keeps the one there is.
                "PhysicalResourceId": event.get("PhysicalResourceId") or context.log_stream_name,
            }
        logger.info(
            "Custom resource answered", request_type=event.get("RequestType"), status=response["Status"]
        )
        _respond(event["ResponseURL"], response)

    return lambda_handler


def _respond(url: str, response: dict[str, Any]) -> None:
    # The pre-signed URL is signed for no Content-Type: sending one would make S3 refuse the PUT.
    request = urllib.request.Request(  # noqa: S310 - CloudFormation's pre-signed https URL
        url, data=json.dumps(response).encode(), method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS):  # noqa: S310
        pass
