"""Idempotency-Key: a retried request counts once and gets the first response back."""

from __future__ import annotations

import pytest

from tests.helpers import PRODUCTS, TRYON
from tests.integration.conftest import InProcessApi


def ar_count(stack: InProcessApi) -> int:
    from fashionos.usage.service import UsageService
    from fashionos.usage.store import UsageStore

    report = UsageService(UsageStore(stack.session.client("dynamodb"), stack.table)).usage_report(
        stack.demo["user_id"]
    )
    return report.period_totals["ar_tryons"]


def test_a_retry_counts_once_and_replays_the_first_response(stack: InProcessApi) -> None:
    # given
    body = {
        "handshake": stack.demo["handshake"],
        "type": "AR",
        "count": 101,
        "user_id": stack.demo["user_id"],
    }
    first = stack.call(TRYON, body, headers={"Idempotency-Key": "retry-1"})
    # when
    retries = [stack.call(TRYON, body, headers={"Idempotency-Key": "retry-1"}) for _ in range(5)]
    # then
    assert first.status == 200
    assert first.json["warnings"] == ["Usage limit exceeded for this period"]
    assert all(r.status == 200 and r.json == first.json for r in retries)
    assert all(r.header("Idempotent-Replayed") == "true" for r in retries)
    assert first.header("Idempotent-Replayed") is None
    assert ar_count(stack) == 101


def test_a_rotated_handshake_does_not_make_a_retry_a_new_request(stack: InProcessApi) -> None:
    from fashionos.integration.handshake import rotate_handshake, token_cache

    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 2, "user_id": stack.demo["user_id"]}
    stack.call(TRYON, body, headers={"Idempotency-Key": "rot"})
    new = rotate_handshake(stack.session.client("secretsmanager"), stack.secret_arn)
    token_cache().clear()
    reply = stack.call(TRYON, {**body, "handshake": new}, headers={"Idempotency-Key": "rot"})
    assert reply.status == 200
    assert reply.header("Idempotent-Replayed") == "true"
    assert ar_count(stack) == 2


@pytest.mark.parametrize("change", [{"count": 2}, {"type": "AI"}])
def test_the_same_key_with_another_body_is_422(stack: InProcessApi, change: dict[str, object]) -> None:
    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 1, "user_id": stack.demo["user_id"]}
    assert stack.call(TRYON, body, headers={"Idempotency-Key": "k"}).status == 200
    reply = stack.call(TRYON, {**body, **change}, headers={"Idempotency-Key": "k"})
    assert reply.status == 422
    assert reply.json["success"] is False
    assert "Idempotency-Key" in reply.json["error"]
    assert ar_count(stack) == 1


def test_the_same_key_on_another_endpoint_is_422(stack: InProcessApi) -> None:
    demo = stack.demo
    stack.call(
        TRYON,
        {"handshake": demo["handshake"], "type": "AR", "count": 1, "user_id": demo["user_id"]},
        headers={"Idempotency-Key": "shared"},
    )
    reply = stack.call(
        PRODUCTS,
        {"handshake": demo["handshake"], "user_id": demo["user_id"], "value": 1},
        headers={"Idempotency-Key": "shared"},
    )
    assert reply.status == 422


def test_a_refused_request_does_not_use_up_its_key(stack: InProcessApi) -> None:
    demo = stack.demo
    body = {"handshake": demo["handshake"], "type": "AR", "count": 1, "user_id": "usr_nobody"}
    assert stack.call(TRYON, body, headers={"Idempotency-Key": "later"}).status == 404
    fixed = stack.call(TRYON, {**body, "user_id": demo["user_id"]}, headers={"Idempotency-Key": "later"})
    assert fixed.status == 200


def test_a_claim_without_a_response_is_in_progress_then_finished_without_counting_again(
    stack: InProcessApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a first attempt that counted, then died before storing its response
    from fashionos import idempotency

    monkeypatch.setattr(idempotency.IdempotencyClaim, "save", lambda self, response: None)
    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 3, "user_id": stack.demo["user_id"]}
    assert stack.call(TRYON, body, headers={"Idempotency-Key": "crash"}).status == 200
    monkeypatch.undo()
    # when: retried at once, it is still in flight
    in_flight = stack.call(TRYON, body, headers={"Idempotency-Key": "crash"})
    assert in_flight.status == 409
    # when: retried after the in-flight window
    monkeypatch.setattr(idempotency, "IN_FLIGHT_SECONDS", -1)
    done = stack.call(TRYON, body, headers={"Idempotency-Key": "crash"})
    # then
    assert done.status == 200
    assert done.json == {"success": True, "message": "AR tryon usage increased successfully"}
    assert ar_count(stack) == 3


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_malformed_idempotency_keys_are_400(stack: InProcessApi, key: str) -> None:
    body = {"handshake": stack.demo["handshake"], "type": "AR", "count": 1, "user_id": stack.demo["user_id"]}
    reply = stack.call(TRYON, body, headers={"Idempotency-Key": key})
    assert reply.status == 400
    assert "Idempotency-Key" in reply.json["error"]
    assert ar_count(stack) == 0
