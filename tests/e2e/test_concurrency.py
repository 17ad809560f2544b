"""Many clients at once through the dev gateway: no increment is lost, and a retried request counts once.

moto server handles about 200 DynamoDB calls a second and an increment costs about four, so the thousand
increments take tens of seconds; every request has a timeout, so the test is bounded.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from tests.e2e.conftest import E2E, DevStack, http
from tests.helpers import API_KEY_USAGE, TRYON

pytestmark = E2E

WORKERS = 48
CONCURRENT_TIMEOUT = 120  # one request, while the others queue in front of moto


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    replayed: str | None


def post_many(
    stack: DevStack, path: str, body: Any, times: int, headers: dict[str, str] | None = None
) -> list[Reply]:
    """Send the same request ``times`` times from ``WORKERS`` threads, one keep-alive session each."""
    local = threading.local()
    sessions: list[requests.Session] = []

    def send(_: int) -> Reply:
        if not hasattr(local, "session"):
            local.session = http()
            sessions.append(local.session)
        reply = local.session.post(stack.url(path), json=body, headers=headers, timeout=CONCURRENT_TIMEOUT)
        return Reply(reply.status_code, reply.json(), reply.headers.get("Idempotent-Replayed"))

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(send, range(times)))
    finally:
        for session in sessions:
            session.close()


def test_a_thousand_concurrent_increments_are_all_counted(stack: DevStack) -> None:
    # given: a new user on the starter plan, which allows 1,000 API calls a period
    user = stack.new_user()
    body = {"handshake": stack.handshake, "api_key": user.api_key, "count": 1}
    # when: 1,000 increments of 1 arrive at once
    replies = post_many(stack, API_KEY_USAGE, body, times=1000)
    # then: every one succeeds; none sees a total over the limit, since none is lost or counted twice
    assert {reply.status for reply in replies} == {200}
    assert all(
        reply.body == {"success": True, "message": "API key usage increased successfully"}
        for reply in replies
    )
    usage = stack.usage(user.user_id)
    assert usage["period_totals"]["api_calls"] == 1000
    assert usage["keys"] == [{"key_id": user.key_id, "ar_tryons": 0, "ai_tryons": 0, "api_calls": 1000}]
    # and the next one is the first past the limit
    over = stack.post(API_KEY_USAGE, body)
    assert over.json()["warnings"] == ["Usage limit exceeded for this period"]


def test_concurrent_retries_with_one_idempotency_key_count_once(stack: DevStack) -> None:
    # given: one request, and a client that retries it 200 times at once with the same Idempotency-Key
    user = stack.new_user()
    body = {"handshake": stack.handshake, "type": "AI", "count": 7, "api_key": user.api_key}
    headers = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    # when
    replies = post_many(stack, TRYON, body, times=200, headers=headers)
    # then: each retry either gets the one answer, or is told the first is still in progress
    answered = [reply for reply in replies if reply.status == 200]
    in_progress = [reply for reply in replies if reply.status == 409]
    assert len(answered) + len(in_progress) == len(replies), {reply.status for reply in replies}
    assert answered
    assert all(
        reply.body == {"success": True, "message": "AI tryon usage increased successfully"}
        for reply in answered
    )
    assert [reply.replayed for reply in answered].count(None) == 1  # the one that did the work
    assert all(reply.replayed in (None, "true") for reply in answered)
    for reply in in_progress:
        assert set(reply.body) == {"success", "error"}
        assert reply.body["success"] is False
        assert "Idempotency-Key" in reply.body["error"]
    # and the counter moved once, by the request's count
    usage = stack.usage(user.user_id)
    assert usage["period_totals"] == {"ar_tryons": 0, "ai_tryons": 7, "api_calls": 0}
    assert usage["keys"] == [{"key_id": user.key_id, "ar_tryons": 0, "ai_tryons": 7, "api_calls": 0}]
    # and a retry after all that replays the stored answer
    late = stack.post(TRYON, body, headers=headers)
    assert late.status_code == 200
    assert late.headers["Idempotent-Replayed"] == "true"
    assert late.json() == answered[0].body
