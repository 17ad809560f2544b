"""Webhooks over real HTTP against the local stack (``python -m devserver``: moto server, the dev gateway and
the event pollers in threads): a partner registers a local receiver, and the whole path runs as deployed
(outbox stream → fan-out → SQS → signed delivery), with the local stack's compressed retry schedule."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, http
from tests.receiver import Receiver

pytestmark = E2E
WAIT_SECONDS = 30  # the local schedule reaches a 3rd attempt in ~3 s; pollers idle up to a second


def call(stack: DevStack, method: str, path: str, body: Any = None) -> Any:
    with http() as session:
        reply = session.request(
            method,
            stack.url(path),
            json=body,
            headers={"X-Api-Key": stack.credentials["sandbox_api_key"]},
            timeout=REQUEST_TIMEOUT,
        )
    assert reply.status_code < 300, reply.text
    return reply.json() if reply.content else None


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for deliveries"
        time.sleep(0.1)


def test_a_ping_reaches_a_local_receiver_signed_also_during_a_rotation(stack: DevStack) -> None:
    with Receiver() as receiver:
        # given
        webhook = call(stack, "POST", "/v1/webhooks", {"url": receiver.url, "events": ["order.created"]})
        receiver.secret = webhook["secret"]
        # when
        ping = call(stack, "POST", f"/v1/webhooks/{webhook['id']}/test")
        wait_for(lambda: len(receiver.received) == 1)
        rotated = call(stack, "POST", f"/v1/webhooks/{webhook['id']}/rotate-secret")
        call(stack, "POST", f"/v1/webhooks/{webhook['id']}/test")
        wait_for(lambda: len(receiver.received) == 2)
    # then
    first, second = receiver.received
    assert (first.webhook_id, first.verified, first.event["type"]) == (ping["id"], True, "ping")
    assert first.event["data"] == {"id": webhook["id"], "object": "webhook", "url": receiver.url}
    Webhook(webhook["secret"]).verify(second.body, second.headers)  # the old secret, during the overlap
    Webhook(rotated["secret"]).verify(second.body, second.headers)
    assert second.event["sequence"] == 2


def test_retries_reach_a_receiver_that_recovers_and_are_logged(stack: DevStack) -> None:
    with Receiver() as receiver:
        # given: a receiver failing twice
        webhook = call(stack, "POST", "/v1/webhooks", {"url": receiver.url, "events": ["order.created"]})
        receiver.secret = webhook["secret"]
        receiver.answers.extend([500, 503])
        # when
        ping = call(stack, "POST", f"/v1/webhooks/{webhook['id']}/test")
        wait_for(lambda: [r.status for r in receiver.received] == [500, 503, 200])
    # then: one webhook-id throughout, every attempt verified and in the log
    assert {r.webhook_id for r in receiver.received} == {ping["id"]}
    assert all(r.verified for r in receiver.received)
    wait_for(lambda: len(call(stack, "GET", f"/v1/webhooks/{webhook['id']}/deliveries")["data"]) == 3)
    log = call(stack, "GET", f"/v1/webhooks/{webhook['id']}/deliveries")["data"]
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in log] == [
        (3, 200, "succeeded"),
        (2, 503, "retrying"),
        (1, 500, "retrying"),
    ]
