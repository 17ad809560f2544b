"""What the dev gateway does with a function's answer: what API Gateway does with a Lambda proxy response."""

from typing import Any

import pytest

from devserver.gateway import Gateway
from devserver.lambda_runtime import Handler
from devserver.template import LocalTemplate

TEMPLATE = {
    "Resources": {
        "Api": {"Type": "AWS::Serverless::Api", "Properties": {}},
        "Echo": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/none/",
                "Handler": "handler.lambda_handler",
                "Events": {
                    "Api": {
                        "Type": "Api",
                        "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/echo", "Method": "GET"},
                    }
                },
            },
        },
    }
}


class Answering:
    """A function runtime whose one function answers ``result``."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def handler(self, function: str) -> Handler:
        return lambda event, context: self.result


@pytest.mark.parametrize(
    "result",
    [
        None,
        "text",
        {"body": "no status"},
        {"statusCode": "200", "body": ""},  # a string status
        {"statusCode": True, "body": ""},
        {"statusCode": 200, "body": {"an": "object"}},  # a body that is not a string
        {"statusCode": 200, "body": "", "unexpected": 1},
    ],
)
def test_a_malformed_proxy_response_is_a_502(result: Any) -> None:
    gateway = Gateway(LocalTemplate(TEMPLATE, "unit"), Answering(result))
    status, _, _ = gateway.invoke("GET", "/echo", {}, b"", "203.0.113.1")
    assert status == 502


def test_a_proxy_response_is_passed_on() -> None:
    gateway = Gateway(
        LocalTemplate(TEMPLATE, "unit"), Answering({"statusCode": 201, "headers": {"A": "b"}, "body": "hi"})
    )
    assert gateway.invoke("GET", "/echo", {}, b"", "203.0.113.1") == (201, {"A": "b"}, b"hi")
