"""Every function of the template loads and answers under the Lambda Python runtime's own rules.

Each function runs in a fresh interpreter of its own (``devserver.lambda_runtime.LambdaContainers``):
awslambdaric's bootstrap imported first, the function's CodeUri first on ``sys.path``, the layer's code next
(``fashionos`` and the layer's requirements only), the function's environment from the template,
awslambdaric's handler resolution and loop. Each is invoked once with a minimal event of its kind, built
the way the local stack builds it (a REST proxy event through the dev gateway, which runs the REQUEST
authorizer; an SQS batch and a stream batch from the event source pollers), on a moto server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from devserver.custom_resources import create_custom_resources
from devserver.demo import seed
from devserver.gateway import Gateway, LambdaContext
from devserver.lambda_runtime import FunctionError, Handler, LambdaContainers
from devserver.moto_server import MotoServer
from devserver.pollers import EventSources
from devserver.template import LocalTemplate, create_resources, load_template
from fashionos.events.models import Event
from fashionos.events.store import event_item
from fashionos.webhooks.queue import DeliveryMessage

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("lambda-runtime")]

REGION = "us-east-1"


@dataclass
class Recorder:
    """The containers, with what each function answered (or how it failed) kept by logical id."""

    containers: LambdaContainers
    outcomes: dict[str, list[Any]]

    def handler(self, function: str) -> Handler:
        invoke = self.containers.handler(function)

        def recorded(event: dict[str, Any], context: LambdaContext) -> Any:
            try:
                result = invoke(event, context)
            except FunctionError as error:
                self.outcomes.setdefault(function, []).append(error)
                raise
            self.outcomes.setdefault(function, []).append(result)
            return result

        return recorded


@dataclass
class LoadStack:
    local: LocalTemplate
    session: boto3.Session
    moto_url: str
    demo: dict[str, Any]
    recorder: Recorder


@pytest.fixture(scope="module")
def load_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadStack]:
    environment = {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
    }
    with MotoServer() as moto, pytest.MonkeyPatch.context() as patch:
        environment["AWS_ENDPOINT_URL"] = moto.url
        for name, value in environment.items():
            patch.setenv(name, value)
        session = boto3.Session(region_name=REGION)
        local = LocalTemplate(load_template(), "load", {"PartnerIssuer": "http://load.test"})
        create_resources(local, session)
        work_dir: Path = tmp_path_factory.mktemp("lambda")
        recorder = Recorder(LambdaContainers(local, work_dir, environment), {})
        create_custom_resources(local, recorder)  # the first signing key, made by SigningKeysFunction
        demo = seed(
            session.client("dynamodb"),
            session.client("secretsmanager"),
            local.physical["IntegrationTable"],
            local.physical["HandshakeSecret"],
            local.physical["PartnerTable"],
        )
        try:
            yield LoadStack(local, session, moto.url, demo, recorder)
        finally:
            recorder.containers.stop()


def _placeholders(path: str) -> str:
    return re.sub(r"\{(\w+)_id\}", lambda m: f"{m[1][:3]}_01NOSUCHTHING", path)


def test_every_function_loads_and_answers_a_minimal_event_of_its_kind(load_stack: LoadStack) -> None:
    # given
    local, recorder = load_stack.local, load_stack.recorder
    gateway = Gateway(local, recorder)
    sandbox_key = load_stack.demo["sandbox_api_key"]
    # when: every route once (the /v1 ones behind the authorizer) ...
    replies = {}
    for route in local.routes():
        method = "POST" if route.method == "ANY" else route.method
        # (a path's ANY route for the methods it lacks is public: its POST may be another route's)
        headers = {"X-Api-Key": sandbox_key}
        replies[route.function] = gateway.invoke(
            method, _placeholders(route.path), headers, b"", "203.0.113.9"
        )
    # ... and every event source's function on a batch of one
    event = Event(
        event_id="evt_01LOADTEST",
        org_id=load_stack.demo["org_id"],
        type="order.created",
        created_at="2026-12-01T00:00:00Z",
        sequence=1,
        payload="{}",
    )
    dynamodb = load_stack.session.client("dynamodb")
    dynamodb.put_item(TableName=local.physical["EventTable"], Item=event_item(event, 2**31))
    message = DeliveryMessage(event.org_id, "whk_01NOSUCHTHING", event.event_id, event.type, "{}")
    sqs = load_stack.session.client("sqs")
    sqs.send_message(QueueUrl=local.physical["WebhookDeliveryQueue"], MessageBody=message.body())
    EventSources(
        local, load_stack.session, recorder.handler, endpoint_url=load_stack.moto_url
    ).run_until_idle()
    # then: every function was invoked, none failed, each answered what its kind answers
    outcomes = recorder.outcomes
    assert set(outcomes) == set(local.functions())
    faults = {
        name: f"{o.error_type}: {o.message}"
        for name, os_ in outcomes.items()
        for o in os_
        if isinstance(o, FunctionError)
    }
    assert faults == {}
    for name, (status, headers, _) in replies.items():
        assert status < 500, name
        assert "X-Request-Id" in headers, name
    (authorization,) = {json.dumps(o["policyDocument"]) for o in outcomes["PartnerAuthorizerFunction"]}
    assert '"Effect": "Allow"' in authorization
    for name in ("WebhookFanoutFunction", "WebhookDeliveryFunction"):
        assert outcomes[name] == [{"batchItemFailures": []}]
    assert outcomes["SigningKeysFunction"] == [None]  # it answered CloudFormation's ResponseURL instead
    assert local.attributes["SigningKeys", "Kid"]
    assert load_stack.recorder.containers.denied() == []


def test_a_function_whose_code_shadows_the_standard_library_cannot_load(
    load_stack: LoadStack, tmp_path: Path
) -> None:
    """The failure Lambda reported for the token endpoint when its code directory held token.py."""
    # given: the token function packaged with the old layout's name for its module
    code = tmp_path / "partner"
    code.mkdir()
    original = Path(__file__).resolve().parents[2] / "functions/partner/oauth/token/handler.py"
    (code / "token.py").write_text(original.read_text())
    template = load_template()
    template["Resources"]["TokenFunction"]["Properties"].update(
        CodeUri=str(code), Handler="token.lambda_handler"
    )
    local = LocalTemplate(template, "load", {"PartnerIssuer": "http://load.test"})
    local.physical, local.attributes = load_stack.local.physical, load_stack.local.attributes
    containers = LambdaContainers(local, tmp_path / "lambda", {"AWS_ENDPOINT_URL": load_stack.moto_url})
    # when
    try:
        reply = Gateway(local, containers).invoke("POST", "/oauth/token", {}, b"", "203.0.113.9")
        with pytest.raises(FunctionError) as failure:
            containers.handler("TokenFunction")({}, LambdaContext("TokenFunction", "r-1"))
    finally:
        containers.stop()
    # then
    assert reply[0] == 502
    assert failure.value.error_type == "Runtime.ImportModuleError"
    assert (
        "cannot import name 'EXACT_TOKEN_TYPES' from partially initialized module 'token'"
        in failure.value.message
    )
