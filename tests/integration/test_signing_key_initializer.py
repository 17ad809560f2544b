"""A new stack makes its own first JWT signing key (the ``SigningKeys`` custom resource): working keys from
an empty secret, nothing changed by a second run, one key from two runs at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from devserver import custom_resources
from devserver.custom_resources import ResponsePut
from devserver.gateway import LambdaContext
from devserver.moto_server import MotoServer
from fashionos.identity.signing_keys import SigningKeys, ensure_signing_key
from fashionos.identity.tokens import TokenIssuer, TokenVerifier
from functions.stack.signing_keys import handler

EMPTY = '{"current": null, "previous": null}'  # what the template creates the secret with
NAME = "fashionos/test/signing-keys"


@pytest.fixture
def secretsmanager(moto: None) -> Any:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name=NAME, SecretString=EMPTY)
    return client


def versions(client: Any) -> list[str]:
    return sorted(v["VersionId"] for v in client.list_secret_version_ids(SecretId=NAME)["Versions"])


def test_an_empty_secret_gets_a_key_that_signs_and_verifies(secretsmanager: Any) -> None:
    # when
    kid = ensure_signing_key(secretsmanager, NAME)
    # then
    keys = SigningKeys()
    keys.load(secretsmanager, NAME)
    assert keys.current.kid == kid
    token, _ = TokenIssuer("https://issuer", keys).issue(
        client_id="cli_1", org_id="org_1", subject="cli_1", scopes=["profile:read"], audience="api"
    )
    assert TokenVerifier("https://issuer", "api", keys).verify(token).client_id == "cli_1"
    assert [entry["kid"] for entry in keys.jwks()["keys"]] == [kid]


def test_a_second_run_changes_nothing(secretsmanager: Any) -> None:
    # given
    kid = ensure_signing_key(secretsmanager, NAME)
    before = versions(secretsmanager)
    # when
    again = ensure_signing_key(secretsmanager, NAME)
    # then
    assert again == kid
    assert versions(secretsmanager) == before


class BothReadFirst:
    """A client whose ``PutSecretValue`` waits until both runs have read the secret: the race of two
    initialisers that both found it empty."""

    def __init__(self, client: Any, barrier: threading.Barrier) -> None:
        self._client = client
        self._barrier = barrier

    def get_secret_value(self, **kwargs: Any) -> Any:
        return self._client.get_secret_value(**kwargs)

    def put_secret_value(self, **kwargs: Any) -> Any:
        self._barrier.wait(timeout=10)
        return self._client.put_secret_value(**kwargs)


@pytest.fixture
def moto_server() -> Iterator[str]:
    with MotoServer() as server:
        yield server.url


def test_two_runs_at_once_make_one_key(moto_server: str) -> None:
    # given: an empty secret on the moto server (concurrency is never tested on in-process moto)
    session = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
    client = session.client("secretsmanager", endpoint_url=moto_server)
    client.create_secret(Name=NAME, SecretString=EMPTY)
    barrier = threading.Barrier(2)
    kids: list[str] = []
    # when
    runs = [
        threading.Thread(target=lambda: kids.append(ensure_signing_key(BothReadFirst(client, barrier), NAME)))
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    # then: both name the one key the secret holds, in the one version made after the empty one
    stored = json.loads(client.get_secret_value(SecretId=NAME)["SecretString"])
    assert kids == [stored["current"]["kid"]] * 2
    assert stored["previous"] is None
    assert len(client.list_secret_version_ids(SecretId=NAME, IncludeDeprecated=True)["Versions"]) == 2


# --- the custom resource, as CloudFormation calls it ----------------------------------------------------
@pytest.fixture
def response_url() -> Iterator[tuple[str, list[ResponsePut]]]:
    with custom_resources.response_url() as url_and_received:
        yield url_and_received


def request(kind: str, url: str, secret_id: str, physical_id: str | None = None) -> dict[str, Any]:
    event = {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "req-1",
        "LogicalResourceId": "SigningKeys",
        "ResourceType": "Custom::SigningKeys",
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "SecretId": secret_id,
        },
    }
    if physical_id:
        event["PhysicalResourceId"] = physical_id
    return event


def test_create_answers_cloudformation_with_the_kid(
    secretsmanager: Any, response_url: tuple[str, list[ResponsePut]]
) -> None:
    url, responses = response_url
    handler.lambda_handler(request("Create", url, NAME), LambdaContext("SigningKeysFunction", "r-1"))
    (put,) = responses
    assert put.content_type == ""  # the pre-signed URL is signed for no content type
    response = put.response
    stored = json.loads(secretsmanager.get_secret_value(SecretId=NAME)["SecretString"])
    assert response["Status"] == "SUCCESS"
    assert response["Data"] == {"Kid": stored["current"]["kid"]}
    assert (response["RequestId"], response["LogicalResourceId"]) == ("req-1", "SigningKeys")
    assert "private_pem" not in json.dumps(response)


def test_a_failure_is_answered_too_so_the_deploy_fails_at_once_with_no_secret_in_it(
    moto: None, response_url: tuple[str, list[ResponsePut]]
) -> None:
    url, responses = response_url
    handler.lambda_handler(
        request("Create", url, "no-such-secret"), LambdaContext("SigningKeysFunction", "r-2")
    )
    (put,) = responses
    assert put.response["Status"] == "FAILED"
    assert "CloudWatch Logs" in put.response["Reason"]


def test_delete_leaves_the_keys_to_their_secret(
    secretsmanager: Any, response_url: tuple[str, list[ResponsePut]]
) -> None:
    url, responses = response_url
    before = versions(secretsmanager)
    event = request("Delete", url, NAME, physical_id=f"signing-keys:{NAME}")
    handler.lambda_handler(event, LambdaContext("SigningKeysFunction", "r-3"))
    assert responses[0].response["Status"] == "SUCCESS"
    assert responses[0].response["PhysicalResourceId"] == f"signing-keys:{NAME}"
    assert versions(secretsmanager) == before


def test_delete_after_a_failed_create_answers_with_the_id_cloudformation_sent(
    moto: None, response_url: tuple[str, list[ResponsePut]]
) -> None:
    # given: a Create that failed left CloudFormation with the log stream's name as the physical id
    url, responses = response_url
    event = request("Delete", url, "no-such-secret", physical_id="2026/12/01/[$LATEST]abc")
    # when
    handler.lambda_handler(event, LambdaContext("SigningKeysFunction", "r-4"))
    # then: a success, for the id CloudFormation knows, without touching any secret
    assert responses[0].response["Status"] == "SUCCESS"
    assert responses[0].response["PhysicalResourceId"] == "2026/12/01/[$LATEST]abc"
