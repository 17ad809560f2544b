"""The template's custom resources, created as CloudFormation creates them: a ``Create`` request to the
function of their ``ServiceToken``, whose answer is PUT to a pre-signed ``ResponseURL`` (here, a one-off
local HTTP endpoint). A ``FAILED`` answer, or none, fails the local stack's start as it fails a deploy."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from devserver.gateway import LambdaContext
from devserver.iam import ACCOUNT_ID, REGION
from devserver.lambda_runtime import FunctionRuntime
from devserver.template import LocalTemplate


class CustomResourceFailed(RuntimeError):
    pass


def create_custom_resources(local: LocalTemplate, functions: FunctionRuntime) -> None:
    """Create each ``Custom::*`` resource; what it returns in ``Data`` becomes its ``Fn::GetAtt``s."""
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{local.stack_name}/{uuid.uuid4()}"
    for name, resource in local.resources.items():
        kind = str(resource.get("Type", ""))
        if not (kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"):
            continue
        properties = local.resolve(resource.get("Properties", {}))
        function = resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
        response = _request(
            functions,
            function,
            {
                "RequestType": "Create",
                "ServiceToken": properties["ServiceToken"],
                "StackId": stack_id,
                "RequestId": str(uuid.uuid4()),
                "LogicalResourceId": name,
                "ResourceType": kind,
                "ResourceProperties": properties,
            },
        )
        if response.get("Status") != "SUCCESS":
            raise CustomResourceFailed(f"{name} ({function}): {response.get('Reason')}")
        local.physical[name] = str(response["PhysicalResourceId"])
        for key, value in (response.get("Data") or {}).items():
            local.attributes[name, key] = str(value)


@dataclass
class ResponsePut:
    """What a custom resource's function PUT to its ResponseURL."""

    content_type: str | None
    response: dict[str, Any]


@contextmanager
def response_url() -> Iterator[tuple[str, list[ResponsePut]]]:
    """A stand-in for CloudFormation's pre-signed S3 ResponseURL, and what gets PUT there."""
    received: list[ResponsePut] = []

    class ResponseHandler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(ResponsePut(self.headers.get("Content-Type"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), ResponseHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()  # quick to shut down
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/response", received
    finally:
        server.shutdown()
        server.server_close()


def _request(functions: FunctionRuntime, function: str, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke ``function`` with ``event`` and a ResponseURL; the response it PUT there."""
    with response_url() as (url, received):
        context = LambdaContext(function, event["RequestId"])
        functions.handler(function)({**event, "ResponseURL": url}, context)
    if not received:
        raise CustomResourceFailed(f"{event['LogicalResourceId']} ({function}) sent no response")
    return received[0].response
