"""``fashionos-admin`` against a stack found through its ``stack.json`` (on moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fashionos.admin.cli import main
from tests.helpers import API_KEY_USAGE, TRYON
from tests.integration.conftest import InProcessApi


def test_provision_a_user_with_a_plan_and_a_key_then_read_its_usage(stack: InProcessApi, admin: Any) -> None:
    # given
    assert admin("set-plan", "pro", "--ar-tryons", "2", "--products", "10")[0] == 0
    code, user = admin("create-user", "--plan", "pro", "--user-id", "usr_legacy_42")
    assert (code, user["user_id"], user["plan"]) == (0, "usr_legacy_42", "pro")
    _, key = admin("create-api-key", "usr_legacy_42")
    assert key["api_key"].startswith("footwear_")
    # when
    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 3, "api_key": key["api_key"]}
    reply = stack.call(TRYON, body)
    # then
    assert reply.json["warnings"] == ["Usage limit exceeded for this period"]
    _, usage = admin("usage", "usr_legacy_42")
    assert usage["period_totals"] == {"ar_tryons": 3, "ai_tryons": 0, "api_calls": 0}
    assert usage["keys"] == [{"key_id": key["key_id"], "ar_tryons": 3, "ai_tryons": 0, "api_calls": 0}]
    assert usage["plan"]["limits"] == {"ar_tryons": 2, "ai_tryons": None, "api_calls": None, "products": 10}
    _, other_month = admin("usage", "usr_legacy_42", "--period", "2020-01")
    assert other_month["period_totals"] == {"ar_tryons": 0, "ai_tryons": 0, "api_calls": 0}
    assert other_month["lifetime_totals"]["ar_tryons"] == 3


def test_a_deactivated_key_is_refused(stack: InProcessApi, admin: Any) -> None:
    _, key = admin("create-api-key", stack.demo["user_id"])
    assert admin("deactivate-api-key", key["key_id"]) == (0, {"key_id": key["key_id"], "active": False})
    reply = stack.call(
        API_KEY_USAGE, {"handshake": stack.demo["handshake"], "api_key": key["api_key"], "count": 1}
    )
    assert (reply.status, reply.json["error"]) == (403, "API key is inactive")


def test_moving_a_user_to_another_plan_changes_its_limits(stack: InProcessApi, admin: Any) -> None:
    admin("set-plan", "tiny", "--products", "1")
    assert admin("set-user-plan", stack.demo["user_id"], "tiny")[0] == 0
    body = {"handshake": stack.demo["handshake"], "user_id": stack.demo["user_id"], "value": 2}
    reply = stack.call("/api/v1/integration/set-user-product-number", body)
    assert reply.json["warnings"] == ["Product limit exceeded for current plan"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("create-user", "--plan", "missing"), "Plan missing does not exist"),
        (("create-api-key", "usr_nobody"), "User not found"),
        (("deactivate-api-key", "nokey"), "not found"),
        (("set-user-plan", "usr_nobody", "starter"), "not found"),
        (("create-user", "--plan", "starter", "--user-id", "has space"), "A user id is"),
    ],
)
def test_mistakes_are_reported_with_exit_code_1(admin: Any, args: tuple[str, ...], error: str) -> None:
    code, message = admin(*args)
    assert code == 1
    assert error in message


def test_a_user_id_is_created_once(stack: InProcessApi, admin: Any) -> None:
    code, message = admin("create-user", "--plan", "starter", "--user-id", stack.demo["user_id"])
    assert code == 1
    assert "already exists" in message


def test_without_a_local_stack_the_cli_says_how_to_start_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--local-state", str(tmp_path / "none"), "usage", "usr_x"]) == 1
    assert "make dev" in capsys.readouterr().err


# A deployed stack as CloudFormation describes it: only the outputs the CLI reads matter here.
DEPLOYED = {
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
            },
        },
    },
    "Outputs": {
        "IntegrationTableName": {"Value": {"Ref": "Table"}},
    },
}


def test_a_deployed_stack_is_found_by_name_through_its_outputs(
    stack: InProcessApi, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a stack deployed in the account (moto's CloudFormation)
    # (moto's CloudFormation cannot create secrets: the test makes one and puts its ARN in the outputs)
    secret = stack.session.client("secretsmanager").create_secret(Name="h", SecretString='{"current": "t0"}')
    template = {
        **DEPLOYED,
        "Outputs": {**DEPLOYED["Outputs"], "HandshakeSecretArn": {"Value": secret["ARN"]}},
    }
    stack.session.client("cloudformation").create_stack(
        StackName="fashionos-dev", TemplateBody=json.dumps(template)
    )
    base = ["--stack", "fashionos-dev", "--region", "us-east-1"]
    # when
    assert main([*base, "set-plan", "starter", "--products", "5"]) == 0
    assert main([*base, "create-user", "--plan", "starter", "--user-id", "usr_deployed"]) == 0
    assert main([*base, "rotate-handshake"]) == 0
    capsys.readouterr()
    assert main([*base, "usage", "usr_deployed"]) == 0
    # then
    assert json.loads(capsys.readouterr().out)["plan"]["limits"]["products"] == 5


def test_an_unknown_stack_is_a_clear_error(stack: InProcessApi, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "nope", "--region", "us-east-1", "usage", "usr_x"]) == 1
    assert "Stack nope" in capsys.readouterr().err


def test_a_stack_without_our_outputs_is_a_clear_error(
    stack: InProcessApi, capsys: pytest.CaptureFixture[str]
) -> None:
    other = {"Resources": DEPLOYED["Resources"]}
    stack.session.client("cloudformation").create_stack(StackName="other", TemplateBody=json.dumps(other))
    assert main(["--stack", "other", "--region", "us-east-1", "usage", "usr_x"]) == 1
    assert "is it a Fashion OS stack?" in capsys.readouterr().err
