"""The template is the one source of truth for deploys and the local stack: check what both rely on."""

import importlib

import pytest

from devserver.template import ApiRoute, LocalTemplate, load_template

TEMPLATE = load_template()
LOCAL = LocalTemplate(TEMPLATE, "unit")


def test_short_form_tags_load_as_intrinsics() -> None:
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": "IntegrationTable"}


def test_every_function_is_python313_arm64_and_importable() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    for function in LOCAL.functions().values():
        module = importlib.import_module(function.module)
        assert callable(getattr(module, function.handler))


def test_each_integration_endpoint_has_one_function_taking_every_method() -> None:
    routes = {r.path: r for r in LOCAL.routes() if r.api == "IntegrationApi"}
    assert set(routes) == {
        "/api/v1/integration/increase-tryon-usage-count",
        "/api/v1/integration/increase-api-key-usage-count",
        "/api/v1/integration/set-user-product-number",
    }
    assert {r.method for r in routes.values()} == {"ANY"}  # the code answers 405 and CORS preflight
    assert len({r.function for r in routes.values()}) == 3


@pytest.mark.parametrize("name", sorted(LOCAL.functions()))
def test_functions_get_least_privilege(name: str) -> None:
    """Exactly the calls the code makes (reads, counter updates, idempotency claims in a transaction, the
    handshake secret), each on its one resource."""
    statements = [s for p in TEMPLATE["Resources"][name]["Properties"]["Policies"] for s in p["Statement"]]
    granted = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            granted[action] = statement["Resource"]
    assert granted == {
        "dynamodb:GetItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
        "dynamodb:PutItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
        "secretsmanager:GetSecretValue": {"Ref": "HandshakeSecret"},
    }


def test_table_has_point_in_time_recovery_and_ttl() -> None:
    props = TEMPLATE["Resources"]["IntegrationTable"]["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["TimeToLiveSpecification"]["AttributeName"] == "expires_at"


def test_unknown_paths_answer_in_the_integration_error_format() -> None:
    status, headers, body = LOCAL.gateway_response(
        "IntegrationApi", "MISSING_AUTHENTICATION_TOKEN", 403, "r-1"
    )
    assert status == 404
    assert headers == {"Content-Type": "application/json", "X-Request-Id": "r-1"}
    assert body.replace(" ", "") == '{"success":false,"error":"Notfound"}'


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/v1/things/abc", {"id": "abc"}), ("/v1/things/abc/more", None), ("/v1/things/", None)],
)
def test_route_matching_with_path_parameters(path: str, expected: dict[str, str] | None) -> None:
    assert ApiRoute("Api", "/v1/things/{id}", "GET", "F").matches(path) == expected


def test_greedy_path_parameters() -> None:
    assert ApiRoute("Api", "/files/{proxy+}", "ANY", "F").matches("/files/a/b") == {"proxy": "a/b"}


def test_api_gateway_throttling_answers_429_with_retry_after_in_the_error_format() -> None:
    status, headers, body = LOCAL.gateway_response("IntegrationApi", "THROTTLED", 429, "r-2")
    assert (status, headers["Retry-After"], headers["X-Request-Id"]) == (429, "1", "r-2")
    assert body.replace(" ", "") == '{"success":false,"error":"Toomanyrequests"}'


def test_a_failing_function_keeps_api_gateways_status() -> None:
    status, _, body = LOCAL.gateway_response("IntegrationApi", "DEFAULT_5XX", 502, "r-3")
    assert status == 502
    assert '"success": false' in body
