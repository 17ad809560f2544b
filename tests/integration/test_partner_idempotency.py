"""Idempotency-Key on the Partner API's POSTs (Stripe's semantics), in-process on moto: the first response
is stored with its change in one transaction and replayed; a key reused for another request is 422; a
failed request stores nothing; keys are per org."""

from __future__ import annotations

from typing import Any

import pytest

from fashionos.errors import IdempotencyInProgress
from tests.helpers import Reply, problem
from tests.integration.conftest import InProcessApi

HOOK = {"url": "http://127.0.0.1:9/hook", "events": ["order.created"]}
SHOP = {"handle": "@maison", "name": "Maison", "currency": "EUR", "visibility": "public"}


def post(stack: InProcessApi, path: str, body: Any, key: str | None, *, api_key: str | None = None) -> Reply:
    headers = {"X-Api-Key": api_key or stack.demo["sandbox_api_key"]}
    if key is not None:
        headers["Idempotency-Key"] = key
    return stack.call(path, body, headers=headers)


def count(stack: InProcessApi, path: str) -> int:
    reply = stack.call(path, method="GET", headers={"X-Api-Key": stack.demo["sandbox_api_key"]})
    return len(reply.json["data"])


@pytest.fixture(autouse=True)
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")


@pytest.mark.parametrize(("path", "body"), [("/v1/webhooks", HOOK), ("/v1/storefronts", SHOP)])
def test_a_retry_with_the_same_key_replays_the_first_response_and_creates_once(
    stack: InProcessApi, path: str, body: dict[str, Any]
) -> None:
    first = post(stack, path, body, "retry-1")
    again = post(stack, path, body, "retry-1")
    assert (first.status, again.status) == (201, 201)
    assert again.json == first.json  # the same id (and, for a webhook, the same secret shown once)
    assert (first.header("Idempotent-Replayed"), again.header("Idempotent-Replayed")) == (None, "true")
    assert count(stack, path) == 1


def test_the_same_key_with_a_different_request_is_422_and_writes_nothing(stack: InProcessApi) -> None:
    assert post(stack, "/v1/storefronts", SHOP, "k").status == 201
    reply = post(stack, "/v1/storefronts", {**SHOP, "handle": "@other"}, "k")
    assert problem(reply, 422)["code"] == "idempotency_key_reused"
    assert count(stack, "/v1/storefronts") == 1


def test_a_failed_request_stores_nothing_so_its_retry_runs_again(stack: InProcessApi) -> None:
    assert post(stack, "/v1/storefronts", SHOP, None).status == 201
    assert problem(post(stack, "/v1/storefronts", {**SHOP, "name": "B"}, "k2"), 409)["code"] == "handle_taken"
    assert post(stack, "/v1/storefronts", {**SHOP, "name": "B"}, "k2").status == 409  # not a replay


def test_keys_are_per_org(stack: InProcessApi, other_key: str) -> None:
    other = other_key
    ours = post(stack, "/v1/storefronts", SHOP, "same-key")
    theirs = post(stack, "/v1/storefronts", {**SHOP, "handle": "@theirs"}, "same-key", api_key=other)
    assert (ours.status, theirs.status) == (201, 201)
    assert theirs.header("Idempotent-Replayed") is None


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "caf\u00e9"])
def test_a_malformed_key_is_a_400(stack: InProcessApi, key: str) -> None:
    reply = post(stack, "/v1/storefronts", SHOP, key)
    assert "Idempotency-Key" in problem(reply, 400)["detail"]
    assert count(stack, "/v1/storefronts") == 0


def test_a_concurrent_duplicate_that_has_not_committed_is_409(
    stack: InProcessApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: another request holds the key's claim in its transaction right now (the claim fails, and no
    # response has committed yet)
    def claimed(*_: Any) -> None:
        raise IdempotencyInProgress("A request with this Idempotency-Key is already being processed")

    monkeypatch.setattr("fashionos.commerce.store.CommerceStore.transact", claimed)
    # when
    reply = post(stack, "/v1/storefronts", SHOP, "busy")
    # then
    assert problem(reply, 409)["code"] == "idempotency_in_progress"
    assert reply.header("Retry-After") == "1"
