"""Partner provisioning on moto (``mock_aws``): orgs and handles, OAuth clients, throttling, sandbox keys."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from fashionos.errors import (
    AlreadyExists,
    ApiKeyNotFound,
    ClientNotFound,
    InvalidApiKey,
    InvalidClient,
    InvalidRequest,
    OrgNotFound,
)
from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import (
    AUTH_FAILURE_WINDOW_SECONDS,
    MAX_AUTH_FAILURES,
    PartnerService,
)

TABLE = "partner-test"
NOW = 1_800_000_100.0  # 100 s into a failure window


@pytest.fixture
def dynamodb(moto: None) -> Any:
    client = boto3.client("dynamodb", region_name="us-east-1")
    # The schema the template's PartnerTable will have.
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    return client


@pytest.fixture
def partners(dynamodb: Any) -> PartnerService:
    return PartnerService(PartnerStore(dynamodb, TABLE))


def table_dump(dynamodb: Any) -> str:
    items = [
        item for page in dynamodb.get_paginator("scan").paginate(TableName=TABLE) for item in page["Items"]
    ]
    return json.dumps(items)


# --- orgs ------------------------------------------------------------------------------------------------
def test_an_org_gets_ids_and_a_normalised_handle(partners: PartnerService) -> None:
    # when
    org = partners.create_org("  @YourBrand ", display_name="Your Brand")
    # then
    assert org.org_id.startswith("org_")
    assert len(org.org_id) == 30
    assert org.user_id.startswith("usr_")
    assert (org.handle, org.display_name, org.twin_active) == ("@yourbrand", "Your Brand", False)
    assert org.created_at.endswith("Z")
    assert partners.get_org(org.org_id) == org
    assert partners.get_org_by_handle("@YOURBRAND") == org


def test_a_handle_is_unique_whatever_its_case(partners: PartnerService, dynamodb: Any) -> None:
    # given
    first = partners.create_org("@yourbrand")
    # when / then
    with pytest.raises(AlreadyExists, match="@yourbrand"):
        partners.create_org("@YourBrand")
    # nothing of the refused org was written
    orgs = [i for i in json.loads(table_dump(dynamodb)) if i["sk"]["S"] == "ORG"]
    assert [o["pk"]["S"] for o in orgs] == [f"ORG#{first.org_id}"]


@pytest.mark.parametrize(
    "handle", ["yourbrand", "@a", "@" + "a" * 31, "@your-brand", "@your brand", "@é_x", ""]
)
def test_an_invalid_handle_is_refused(partners: PartnerService, handle: str) -> None:
    with pytest.raises(InvalidRequest):
        partners.create_org(handle)


def test_twin_status_can_be_switched_on(partners: PartnerService) -> None:
    org = partners.create_org("@twins", twin_active=False)
    partners.set_twin_active(org.org_id, True)
    assert partners.get_org(org.org_id).twin_active is True
    with pytest.raises(OrgNotFound):
        partners.set_twin_active("org_missing", True)


# --- clients ---------------------------------------------------------------------------------------------
@pytest.fixture
def org_id(partners: PartnerService) -> str:
    return partners.create_org("@yourbrand").org_id


def test_a_client_secret_is_shown_once_and_stored_only_as_a_hash(
    partners: PartnerService, dynamodb: Any, org_id: str
) -> None:
    # when
    client, secret = partners.create_client(org_id, ["profile:read", "storefronts:read"])
    # then
    assert client.client_id.startswith("cli_")
    assert len(client.client_id) == 28
    assert secret.startswith("cs_")
    assert len(secret) == 51
    assert client.scopes == {"profile:read", "storefronts:read"}
    assert client.grant_types == {"client_credentials"}
    assert (client.status, client.rate_tier, client.requests_per_minute) == ("active", "default", 100)
    dump = table_dump(dynamodb)
    assert secret not in dump
    assert secret[3:] not in dump
    assert client.client_id in dump
    assert partners.get_client(client.client_id) == client


def test_a_client_needs_an_existing_org(partners: PartnerService, dynamodb: Any) -> None:
    with pytest.raises(OrgNotFound):
        partners.create_client("org_missing", ["profile:read"])
    assert json.loads(table_dump(dynamodb)) == []


@pytest.mark.parametrize("scopes", [[], ["profile:read", "admin:all"], ["profile:write"]])
def test_scopes_must_be_known(partners: PartnerService, org_id: str, scopes: list[str]) -> None:
    with pytest.raises(InvalidRequest):
        partners.create_client(org_id, scopes)


def test_every_known_scope_can_be_granted(partners: PartnerService, org_id: str) -> None:
    client, _ = partners.create_client(org_id, KNOWN_SCOPES)
    assert client.scopes == KNOWN_SCOPES


def test_the_right_secret_authenticates(partners: PartnerService, org_id: str) -> None:
    client, secret = partners.create_client(org_id, ["profile:read"])
    assert partners.authenticate(client.client_id, secret) == client


def test_wrong_unknown_and_revoked_all_fail_alike(partners: PartnerService, org_id: str) -> None:
    # given
    client, secret = partners.create_client(org_id, ["profile:read"])
    revoked, revoked_secret = partners.create_client(org_id, ["profile:read"])
    partners.revoke_client(revoked.client_id)
    attempts = [
        (client.client_id, secret + "x"),
        (client.client_id, ""),
        ("cli_" + "A" * 24, secret),
        ("not-a-client-id", secret),
        (revoked.client_id, revoked_secret),
    ]
    # when / then
    messages = set()
    for client_id, presented in attempts:
        with pytest.raises(InvalidClient) as refused:
            partners.authenticate(client_id, presented)
        assert type(refused.value) is InvalidClient
        messages.add(refused.value.message)
    assert messages == {"Client authentication failed"}


def test_rotation_without_grace_stops_the_old_secret_at_once(
    partners: PartnerService, dynamodb: Any, org_id: str
) -> None:
    # given
    client, old = partners.create_client(org_id, ["profile:read"])
    # when
    rotated, new = partners.rotate_secret(client.client_id, now=NOW)
    # then
    assert new != old
    assert rotated.previous_secret_hash is None
    assert partners.authenticate(client.client_id, new, now=NOW) == rotated
    with pytest.raises(InvalidClient):
        partners.authenticate(client.client_id, old, now=NOW)
    assert new not in table_dump(dynamodb)


def test_rotation_with_grace_keeps_the_old_secret_until_it_ends(
    partners: PartnerService, org_id: str
) -> None:
    # given
    client, old = partners.create_client(org_id, ["profile:read"])
    # when
    rotated, new = partners.rotate_secret(client.client_id, grace_seconds=3600, now=NOW)
    # then
    assert rotated.previous_secret_expires_at == int(NOW) + 3600
    for secret in (old, new):
        assert partners.authenticate(client.client_id, secret, now=NOW + 3599).client_id == client.client_id
    with pytest.raises(InvalidClient):
        partners.authenticate(client.client_id, old, now=NOW + 3600)
    assert partners.authenticate(client.client_id, new, now=NOW + 3600).client_id == client.client_id


def test_a_second_rotation_ends_the_first_grace_period(partners: PartnerService, org_id: str) -> None:
    client, first = partners.create_client(org_id, ["profile:read"])
    _, second = partners.rotate_secret(client.client_id, grace_seconds=3600, now=NOW)
    _, third = partners.rotate_secret(client.client_id, grace_seconds=3600, now=NOW + 10)
    with pytest.raises(InvalidClient):
        partners.authenticate(client.client_id, first, now=NOW + 20)
    for secret in (second, third):
        partners.authenticate(client.client_id, secret, now=NOW + 20)


def test_revoking_ends_a_grace_period_and_refuses_rotation(partners: PartnerService, org_id: str) -> None:
    client, old = partners.create_client(org_id, ["profile:read"])
    _, new = partners.rotate_secret(client.client_id, grace_seconds=3600, now=NOW)
    partners.revoke_client(client.client_id)
    for secret in (old, new):
        with pytest.raises(InvalidClient):
            partners.authenticate(client.client_id, secret, now=NOW)
    with pytest.raises(InvalidRequest, match="revoked"):
        partners.rotate_secret(client.client_id)


@pytest.mark.parametrize("grace", [-1, 7 * 24 * 3600 + 1])
def test_a_grace_period_is_bounded(partners: PartnerService, org_id: str, grace: int) -> None:
    client, _ = partners.create_client(org_id, ["profile:read"])
    with pytest.raises(InvalidRequest):
        partners.rotate_secret(client.client_id, grace_seconds=grace)


def test_an_orgs_clients_are_listed_and_deleted(partners: PartnerService, dynamodb: Any, org_id: str) -> None:
    # given
    other_org = partners.create_org("@other").org_id
    first, _ = partners.create_client(org_id, ["profile:read"])
    second, secret = partners.create_client(org_id, ["storefronts:read"])
    partners.create_client(other_org, ["profile:read"])
    # when
    listed = partners.list_clients(org_id)
    partners.delete_client(second.client_id)
    # then
    assert {c.client_id for c in listed} == {first.client_id, second.client_id}
    assert partners.list_clients(org_id) == [first]
    assert second.client_id not in table_dump(dynamodb)
    with pytest.raises(ClientNotFound):
        partners.get_client(second.client_id)
    with pytest.raises(InvalidClient):
        partners.authenticate(second.client_id, secret)
    with pytest.raises(ClientNotFound):
        partners.delete_client(second.client_id)
    with pytest.raises(OrgNotFound):
        partners.list_clients("org_missing")


def test_operations_on_a_missing_client_say_so(partners: PartnerService) -> None:
    missing = "cli_" + "B" * 24
    for operation in (
        lambda: partners.revoke_client(missing),
        lambda: partners.rotate_secret(missing),
        lambda: partners.set_rate_tier(missing, "burst-1k"),
        lambda: partners.get_client("nonsense"),
    ):
        with pytest.raises(ClientNotFound):
            operation()


# --- rate tiers ------------------------------------------------------------------------------------------
def test_a_rate_tier_can_be_set_and_read(partners: PartnerService, org_id: str) -> None:
    client, _ = partners.create_client(org_id, ["profile:read"])
    partners.set_rate_tier(client.client_id, "burst-5k")
    updated = partners.get_client(client.client_id)
    assert (updated.rate_tier, updated.requests_per_minute) == ("burst-5k", 5000)


def test_an_unknown_rate_tier_is_refused(partners: PartnerService, org_id: str) -> None:
    client, _ = partners.create_client(org_id, ["profile:read"])
    with pytest.raises(InvalidRequest, match="burst-1k"):
        partners.set_rate_tier(client.client_id, "unlimited")
    with pytest.raises(InvalidRequest):
        partners.create_client(org_id, ["profile:read"], rate_tier="unlimited")
    assert partners.get_client(client.client_id).rate_tier == "default"


# --- failed authentication throttling --------------------------------------------------------------------
def test_repeated_failures_throttle_that_client_only(partners: PartnerService, org_id: str) -> None:
    # given
    client, _ = partners.create_client(org_id, ["profile:read"])
    other, _ = partners.create_client(org_id, ["profile:read"])
    # when
    counts = [partners.record_failure(client.client_id, now=NOW) for _ in range(MAX_AUTH_FAILURES - 1)]
    # then
    assert counts == list(range(1, MAX_AUTH_FAILURES))
    assert partners.failures_exceeded(client.client_id, now=NOW) is None
    partners.record_failure(client.client_id, now=NOW)
    assert partners.failures_exceeded(client.client_id, now=NOW) == AUTH_FAILURE_WINDOW_SECONDS - 100
    assert partners.failures_exceeded(other.client_id, now=NOW) is None


def test_failures_expire_with_their_window(partners: PartnerService, org_id: str) -> None:
    client, _ = partners.create_client(org_id, ["profile:read"])
    for _ in range(MAX_AUTH_FAILURES):
        partners.record_failure(client.client_id, now=NOW)
    window_end = NOW - 100 + AUTH_FAILURE_WINDOW_SECONDS
    assert partners.failures_exceeded(client.client_id, now=window_end - 0.5) == 1
    assert partners.failures_exceeded(client.client_id, now=window_end) is None


def test_an_expired_window_that_ttl_has_not_deleted_counts_as_absent(
    partners: PartnerService, dynamodb: Any, org_id: str
) -> None:
    # given: a window whose item outlived its expires_at (TTL deletes late; moto never does)
    client, _ = partners.create_client(org_id, ["profile:read"])
    for _ in range(MAX_AUTH_FAILURES):
        partners.record_failure(client.client_id, now=NOW)
    window_start = int(NOW - 100)
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"AUTHFAIL#{client.client_id}#{window_start}"}, "sk": {"S": "AUTHFAIL"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(window_start)}},
    )
    # then
    assert partners.failures_exceeded(client.client_id, now=NOW) is None


def test_an_id_that_cannot_be_a_client_is_never_counted_nor_locked_out(
    partners: PartnerService, dynamodb: Any
) -> None:
    before = table_dump(dynamodb)
    for n in range(MAX_AUTH_FAILURES + 1):
        partners.record_failure(f"junk-{n}" * 100, now=NOW)
    # then: nothing written, and neither those ids nor any other typo is refused as too many attempts
    assert table_dump(dynamodb) == before
    assert partners.failures_exceeded("junk-0" * 100, now=NOW) is None
    assert partners.failures_exceeded("cli_typo", now=NOW) is None


# --- sandbox API keys ------------------------------------------------------------------------------------
def test_a_sandbox_key_is_shown_once_and_authenticates(
    partners: PartnerService, dynamodb: Any, org_id: str
) -> None:
    # when
    key, api_key = partners.create_sandbox_key(org_id, ["profile:read", "tryon:write"])
    # then
    assert api_key.startswith("sk_sandbox_" + key.key_id)
    assert len(api_key) == 11 + 12 + 32
    assert api_key not in table_dump(dynamodb)
    assert partners.authenticate_sandbox_key(api_key) == key
    assert (key.org_id, key.scopes, key.active) == (org_id, {"profile:read", "tryon:write"}, True)


def test_sandbox_keys_fail_alike_and_revoke(partners: PartnerService, org_id: str) -> None:
    # given
    key, api_key = partners.create_sandbox_key(org_id, ["profile:read"])
    wrong_secret = api_key[:-1] + ("A" if api_key[-1] != "A" else "B")
    # when
    partners.revoke_sandbox_key(api_key)
    # then
    for presented in (api_key, wrong_secret, "sk_sandbox_" + "x" * 44, "footwear_abc", ""):
        with pytest.raises(InvalidApiKey, match=r"^Invalid API key$"):
            partners.authenticate_sandbox_key(presented)
    partners.revoke_sandbox_key(key.key_id)  # revoking again is harmless
    with pytest.raises(ApiKeyNotFound):
        partners.revoke_sandbox_key("A" * 12)
    with pytest.raises(ApiKeyNotFound):
        partners.revoke_sandbox_key("no")


def test_a_sandbox_key_needs_an_org_and_known_scopes(partners: PartnerService, org_id: str) -> None:
    with pytest.raises(OrgNotFound):
        partners.create_sandbox_key("org_missing", ["profile:read"])
    with pytest.raises(InvalidRequest):
        partners.create_sandbox_key(org_id, ["root"])
