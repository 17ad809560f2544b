"""What the dev gateway does with a request and a function's answer: what API Gateway does with a Lambda
proxy integration's event and response."""

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
    """A function runtime whose one function answers ``result`` (and keeps the events it was given)."""

    def __init__(self, result: Any) -> None:
        self.result = result
        self.events: list[dict[str, Any]] = []

    def handler(self, function: str) -> Handler:
        def answer(event: dict[str, Any], context: Any) -> Any:
            self.events.append(event)
            return self.result

        return answer


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


@pytest.mark.parametrize(
    ("sent", "forwarded"),
    [
        ({}, "203.0.113.1"),
        (
            {"x-forwarded-for": "198.51.100.9"},
            "198.51.100.9, 203.0.113.1",
        ),  # appended to, as API Gateway does
        (
            {"X-Forwarded-For": "10.0.0.1, 10.0.0.2", "X-Forwarded-Proto": "https"},
            "10.0.0.1, 10.0.0.2, 203.0.113.1",
        ),
    ],
)
def test_the_event_says_which_address_connected_whatever_the_client_sent(
    sent: dict[str, str], forwarded: str
) -> None:
    functions = Answering({"statusCode": 200, "body": ""})
    Gateway(LocalTemplate(TEMPLATE, "unit"), functions).invoke("GET", "/echo", sent, b"", "203.0.113.1")
    [event] = functions.events
    named = {k.lower(): v for k, v in event["headers"].items()}
    assert len(named) == len(event["headers"])  # one of each, whatever case the client used
    assert named["x-forwarded-for"] == forwarded
    assert named["x-forwarded-proto"] == "http"
    assert event["requestContext"]["identity"]["sourceIp"] == "203.0.113.1"
