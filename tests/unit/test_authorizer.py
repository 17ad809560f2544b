"""The authorizer's contract with API Gateway and with the /v1 handlers, without AWS: what a decision
allows, what travels in its context, and what makes API Gateway answer 401."""

from __future__ import annotations

from typing import Any

import pytest

from devserver.gateway import LambdaContext
from fashionos.errors import InsufficientScope, InvalidApiKey, InvalidToken
from fashionos.identity.authorizer import authenticate
from fashionos.identity.principal import Principal, require_scope
from fashionos.partner.http import PartnerRequest, Unauthorized, authorizer_entrypoint

API = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3"
PRINCIPAL = Principal(
    principal_id="cli_abc",
    org_id="org_1",
    client_id="cli_abc",
    scopes=frozenset({"profile:read", "storefronts:read"}),
    rate_tier="burst-1k",
    credential="access_token",
)


@pytest.fixture(autouse=True)
def _partner_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNER_TABLE_NAME", "partners")
    monkeypatch.setenv("SIGNING_KEY_SECRET_ARN", "signing-keys")


def authorizer_event(method_arn: str, authorization: str = "Bearer t") -> dict[str, Any]:
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "httpMethod": "GET",
        "headers": {"Authorization": authorization},
        "requestContext": {"requestId": "r-1", "domainName": "api.example", "stage": "prod"},
    }


def decide(method_arn: str, outcome: Principal | Exception = PRINCIPAL) -> dict[str, Any]:
    def authorize(request: PartnerRequest) -> Principal:
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    handler = authorizer_entrypoint(authorize)
    result: dict[str, Any] = handler(authorizer_event(method_arn), LambdaContext("A", "r-1"))  # type: ignore[arg-type]
    return result


def test_the_decision_allows_every_v1_route_of_the_stage_and_nothing_else() -> None:
    result = decide(f"{API}/prod/GET/v1/me")
    statement = result["policyDocument"]["Statement"]
    assert statement == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{API}/prod/*/v1/*"}
    ]
    assert result["principalId"] == "cli_abc"


def test_the_decision_does_not_depend_on_the_route_so_caching_it_is_safe() -> None:
    # API Gateway caches by credential and reuses the result for other routes: it must be the same result.
    assert decide(f"{API}/prod/GET/v1/me") == decide(f"{API}/prod/POST/v1/storefronts/sf_1/products")


def test_the_context_carries_the_principal_to_the_handlers() -> None:
    context = decide(f"{API}/prod/GET/v1/me")["context"]
    assert all(isinstance(value, str) for value in context.values())  # what API Gateway passes on
    assert Principal.from_context({**context, "principalId": "cli_abc"}) == PRINCIPAL


@pytest.mark.parametrize("error", [InvalidToken("Token expired"), InvalidApiKey("Invalid API key")])
def test_refused_credentials_raise_exactly_unauthorized(error: Exception) -> None:
    with pytest.raises(Unauthorized) as raised:
        decide(f"{API}/prod/GET/v1/me", error)
    assert str(raised.value) == "Unauthorized"  # the message API Gateway turns into its 401


@pytest.mark.parametrize(
    "context",
    [
        None,
        {},
        {"principalId": "cli_abc"},
        {"principalId": "x", "org_id": "o", "scope": "a", "credential": "?"},
    ],
)
def test_a_missing_or_partial_context_is_no_principal(context: dict[str, Any] | None) -> None:
    with pytest.raises(InvalidToken):
        Principal.from_context(context)


def test_a_route_needs_its_own_scope() -> None:
    require_scope(PRINCIPAL, "profile:read")
    with pytest.raises(InsufficientScope):
        require_scope(PRINCIPAL, "webhooks:manage")


class Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} must not be called")


def test_sandbox_keys_are_refused_where_they_are_off_without_a_lookup() -> None:
    with pytest.raises(InvalidToken, match="sandbox only"):
        authenticate({"x-api-key": "sk_sandbox_x"}, Untouchable(), Untouchable(), sandbox_keys=False)  # type: ignore[arg-type]


def test_no_credentials_at_all_is_refused() -> None:
    with pytest.raises(InvalidToken, match="No credentials"):
        authenticate({}, Untouchable(), Untouchable(), sandbox_keys=True)  # type: ignore[arg-type]
