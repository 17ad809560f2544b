"""Every AWS call a function makes must be granted by its policies in the template, as on AWS.

moto evaluates no IAM; the local stack does (``devserver.iam``): the whole integration suite runs with each
function's calls checked against its grants, and a test fails when any call was refused (``make_stack``).
The e2e suite does the same in the Lambda containers.
"""

from __future__ import annotations

from devserver.template import load_template
from tests.integration.conftest import InProcessApi, StackFactory

ME = "/v1/me"


def without_grant(function: str, action: str) -> dict[str, object]:
    template = load_template()
    for policy in template["Resources"][function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            statement["Action"] = [a for a in actions if a != action]
    return template


def test_a_call_whose_grant_is_removed_from_the_template_is_refused_as_aws_refuses_it(
    make_stack: StackFactory,
) -> None:
    # given: GET /v1/me reads the org, and its function may no longer
    stack = make_stack(template=without_grant("MeFunction", "dynamodb:GetItem"))
    # when
    reply = stack.call(ME, method="GET", headers={"X-Api-Key": stack.demo["sandbox_api_key"]})
    # then: the error AWS would send becomes a 500, and the refused call is on record
    assert reply.status == 500
    assert reply.json["title"] == "Internal Server Error"
    table_arn = stack.local.get_att("PartnerTable", "Arn")
    assert stack.functions.denied() == [("MeFunction", "dynamodb:GetItem", table_arn)]
    stack.functions.policies["MeFunction"].denied.clear()  # refused on purpose: not a finding of this test


def test_what_a_function_uses_is_recorded_with_its_resources(stack: InProcessApi) -> None:
    # when
    reply = stack.call(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": stack.demo["client_id"],
            "client_secret": stack.demo["client_secret"],
        },
    )
    # then
    assert reply.status == 200
    used = stack.functions.policies["TokenFunction"].used
    assert ("dynamodb:GetItem", stack.local.get_att("PartnerTable", "Arn")) in used
    assert ("secretsmanager:GetSecretValue", stack.local.physical["SigningKeySecret"]) in used


def test_calls_made_outside_a_function_are_not_checked(stack: InProcessApi) -> None:
    # the admin's and the tests' own clients (no function's role)
    tables = stack.session.client("dynamodb").list_tables()["TableNames"]
    assert stack.local.physical["PartnerTable"] in tables
