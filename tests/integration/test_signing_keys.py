"""Signing keys in Secrets Manager (moto): seeding, rotation, and when a container goes back for them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import jwt
import pytest

from fashionos.errors import InvalidToken
from fashionos.identity.signing_keys import (
    SigningKeys,
    generate_signing_key,
    initial_secret_value,
    load_private_key,
    rotate_signing_key,
)
from fashionos.identity.tokens import TokenIssuer, TokenVerifier

ISSUER = "https://api.fashionos.example"
AUDIENCE = "https://api.fashionos.example/v1"
SECRET_NAME = "fashionos/test/jwt-signing-keys"


class CountingSecrets:
    """A real (moto) client that counts ``GetSecretValue`` calls."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.reads = 0

    def get_secret_value(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self._client.get_secret_value(**kwargs)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secretsmanager(moto: None) -> Any:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name=SECRET_NAME, SecretString=initial_secret_value())
    return client


def stored_kids(client: Any) -> tuple[str, str | None]:
    value = json.loads(client.get_secret_value(SecretId=SECRET_NAME)["SecretString"])
    return value["current"]["kid"], (value["previous"] or {}).get("kid")


def issue(keys: SigningKeys) -> str:
    token, _ = TokenIssuer(ISSUER, keys).issue(
        client_id="c", org_id="o", subject="c", scopes=["products:read"], audience=AUDIENCE
    )
    return token


def test_seed_load_and_rotate(secretsmanager: Any) -> None:
    # given
    first_kid, no_previous = stored_kids(secretsmanager)
    keys = SigningKeys()
    keys.load(secretsmanager, SECRET_NAME)
    assert (keys.current.kid, no_previous, list(keys.public_keys)) == (first_kid, None, [first_kid])
    # when
    second_kid = rotate_signing_key(secretsmanager, SECRET_NAME)
    # then
    assert stored_kids(secretsmanager) == (second_kid, first_kid)
    rotated = SigningKeys()
    rotated.load(secretsmanager, SECRET_NAME)
    assert rotated.current.kid == second_kid
    assert list(rotated.public_keys) == [second_kid, first_kid]
    assert [jwk["kid"] for jwk in rotated.jwks()["keys"]] == [second_kid, first_kid]
    # when
    third_kid = rotate_signing_key(secretsmanager, SECRET_NAME)
    # then
    assert stored_kids(secretsmanager) == (third_kid, second_kid)


def test_a_loaded_container_makes_no_secrets_manager_call_per_token(secretsmanager: Any) -> None:
    # given
    clock, client = Clock(), CountingSecrets(secretsmanager)
    keys = SigningKeys(ttl_seconds=300, clock=clock)
    keys.load(client, SECRET_NAME)  # type: ignore[arg-type]
    verifier = TokenVerifier(ISSUER, AUDIENCE, keys)
    # when
    tokens = [issue(keys) for _ in range(20)]
    for token in tokens * 10:
        verifier.verify(token)
    keys.jwks()
    # then
    assert client.reads == 1
    # when: the cache TTL passes
    clock.now += 301
    for token in tokens:
        verifier.verify(token)
    # then: one refetch, then cached again
    assert client.reads == 2


def test_a_freshly_rotated_key_verifies_at_once_and_unknown_kids_refresh_at_most_once_a_second(
    secretsmanager: Any,
) -> None:
    # given: a verifying container loaded before the rotation, and a signing container loaded after it
    clock, client = Clock(), CountingSecrets(secretsmanager)
    verifying = SigningKeys(ttl_seconds=300, clock=clock)
    verifying.load(client, SECRET_NAME)  # type: ignore[arg-type]
    verifier = TokenVerifier(ISSUER, AUDIENCE, verifying)
    old_token = issue(verifying)
    new_kid = rotate_signing_key(secretsmanager, SECRET_NAME)
    signing = SigningKeys()
    signing.load(secretsmanager, SECRET_NAME)
    clock.now += 1  # (a refetch on a miss waits at least a second after the previous fetch)
    # when
    verified = verifier.verify(issue(signing))
    # then: the unknown kid made one refetch, and both keys verify now
    assert verified.client_id == "c"
    assert client.reads == 2
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    assert list(verifying.public_keys) == [new_kid, old_kid]
    assert verifier.verify(old_token).client_id == "c"
    # given: a kid that is nobody's
    stranger = generate_signing_key()
    header = {"kid": stranger["kid"], "typ": "at+jwt"}
    junk = jwt.encode({"sub": "x"}, load_private_key(stranger["private_pem"]), "RS256", headers=header)
    # when / then: no refetch within a second of the last one
    for _ in range(5):
        with pytest.raises(InvalidToken, match="Unknown key id"):
            verifier.verify(junk)
    assert client.reads == 2
    clock.now += 0.9
    with pytest.raises(InvalidToken, match="Unknown key id"):
        verifier.verify(junk)
    assert client.reads == 2
    # when / then: a second later, one more refetch
    clock.now += 0.2
    for _ in range(5):
        with pytest.raises(InvalidToken, match="Unknown key id"):
            verifier.verify(junk)
    assert client.reads == 3


def test_cached_keys_keep_working_when_secrets_manager_fails(secretsmanager: Any) -> None:
    # given
    clock = Clock()
    keys = SigningKeys(ttl_seconds=300, clock=clock)
    keys.load(secretsmanager, SECRET_NAME)
    token = issue(keys)
    secretsmanager.delete_secret(SecretId=SECRET_NAME, ForceDeleteWithoutRecovery=True)
    # when
    clock.now += 301
    # then
    assert TokenVerifier(ISSUER, AUDIENCE, keys).verify(token).client_id == "c"
    assert issue(keys)
