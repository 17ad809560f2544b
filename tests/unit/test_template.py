"""The template is the one source of truth for deploys and the local stack: check what both rely on."""

import importlib
import json

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


INTEGRATION_GRANTS = {
    "dynamodb:GetItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
    "dynamodb:PutItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
    "dynamodb:UpdateItem": {"Fn::GetAtt": ["IntegrationTable", "Arn"]},
    "secretsmanager:GetSecretValue": {"Ref": "HandshakeSecret"},
}
SIGNING_KEYS = {"secretsmanager:GetSecretValue": {"Ref": "SigningKeySecret"}}
GRANTS = {
    # reads, counter updates, idempotency claims in a transaction, the handshake secret
    "IncreaseTryonUsageFunction": INTEGRATION_GRANTS,
    "IncreaseApiKeyUsageFunction": INTEGRATION_GRANTS,
    "SetUserProductNumberFunction": INTEGRATION_GRANTS,
    # the client (GetItem), the failure window (GetItem; UpdateItem ADD), the signing keys
    "TokenFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    # as TokenFunction, plus the revocation record (GetItem)
    "IntrospectFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    # as TokenFunction, plus writing the revocation record (PutItem)
    "RevokeFunction": {
        "dynamodb:GetItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        "dynamodb:PutItem": {"Fn::GetAtt": ["PartnerTable", "Arn"]},
        **SIGNING_KEYS,
    },
    "JwksFunction": SIGNING_KEYS,
    "AuthServerMetadataFunction": {},
}


def test_every_function_has_its_expected_grants_listed() -> None:
    assert set(GRANTS) == set(LOCAL.functions())


@pytest.mark.parametrize("name", sorted(LOCAL.functions()))
def test_functions_get_least_privilege(name: str) -> None:
    """Exactly the calls the code makes, each on its one resource."""
    statements = [s for p in TEMPLATE["Resources"][name]["Properties"]["Policies"] for s in p["Statement"]]
    granted = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            granted[action] = statement["Resource"]
    assert granted == GRANTS[name]


@pytest.mark.parametrize("table", ["IntegrationTable", "PartnerTable"])
def test_table_has_point_in_time_recovery_and_ttl(table: str) -> None:
    props = TEMPLATE["Resources"][table]["Properties"]
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


def test_partner_endpoints_and_their_methods() -> None:
    routes = {(r.path, r.method, r.function) for r in LOCAL.routes() if r.api == "PartnerApi"}
    assert routes == {
        ("/oauth/token", "ANY", "TokenFunction"),  # the code answers 405 and OPTIONS
        ("/oauth/introspect", "ANY", "IntrospectFunction"),
        ("/oauth/revoke", "ANY", "RevokeFunction"),
        ("/.well-known/jwks.json", "GET", "JwksFunction"),
        ("/.well-known/oauth-authorization-server", "GET", "AuthServerMetadataFunction"),
    }


def test_partner_unknown_paths_are_problem_documents() -> None:
    status, headers, body = LOCAL.gateway_response("PartnerApi", "MISSING_AUTHENTICATION_TOKEN", 403, "r-4")
    assert status == 404
    assert headers == {"Content-Type": "application/problem+json", "X-Request-Id": "r-4"}
    assert json.loads(body) == {"type": "about:blank", "title": "Not Found", "status": 404}


def test_the_signing_key_secret_starts_empty_for_rotate_signing_key() -> None:
    props = TEMPLATE["Resources"]["SigningKeySecret"]["Properties"]
    assert json.loads(props["SecretString"]) == {"current": None, "previous": None}
