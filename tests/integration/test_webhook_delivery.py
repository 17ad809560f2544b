"""Webhook delivery end to end, in-process on moto: an event committed through the outbox reaches the
DynamoDB stream, the fan-out function sends one SQS message per endpoint, the delivery function POSTs it,
signed, to a real HTTP receiver that verifies it with the ``standardwebhooks`` library. The event sources
are polled as Lambda's event source mappings would (``devserver.pollers``), step by step."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devserver.moto_server import free_port
from devserver.pollers import EventSources
from fashionos.events.models import NewEvent
from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.events.store import EventStore
from fashionos.webhooks import sender
from tests.integration.conftest import InProcessApi, StackFactory
from tests.receiver import Receiver

INSTANT = "0 0 0 0 0 0 0 0"  # every retry at once: the whole schedule in one run_until_idle
ONE_SECOND = "0 1 1 1 1 1 1 1"  # retries a test can step through


class Deliveries:
    """The in-process stack with its event sources, and what a partner does over its API."""

    def __init__(self, stack: InProcessApi) -> None:
        self.stack = stack
        self.sources = EventSources(stack.local, stack.session, stack.gateway.handler, retry_backoff=0)
        self.key = {"X-Api-Key": stack.demo["sandbox_api_key"]}
        self.org_id = stack.demo["org_id"]

    def api(self, method: str, path: str, body: Any = None) -> Any:
        reply = self.stack.call(path, body, method=method, headers=self.key)
        assert reply.status < 300, reply.text
        return reply.json if reply.text else None

    def subscribe(self, url: str, events: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = self.api(
            "POST", "/v1/webhooks", {"url": url, "events": events or ["order.created"]}
        )
        return body

    def outbox(self) -> Outbox:
        store = EventStore(self.stack.session.client("dynamodb"), self.stack.local.physical["EventTable"])
        return Outbox(store)

    def emit(self, order_id: str = "ord_1", type_: str = "order.created") -> str:
        (event,) = self.outbox().commit(self.org_id, [NewEvent(type_, {"id": order_id, "object": "order"})])
        return event.event_id

    def run(self) -> None:
        """Poll until nothing is left to do now. A message shown again with no delay may be invisible for
        the rest of the millisecond (moto), so look again after a moment."""
        sqs = self.stack.session.client("sqs")
        queue = self.stack.local.physical["WebhookDeliveryQueue"]
        while True:
            self.sources.run_until_idle()
            time.sleep(0.01)
            visible = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
            if visible["Attributes"]["ApproximateNumberOfMessages"] == "0":
                return

    def attempts(self, webhook_id: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.api("GET", f"/v1/webhooks/{webhook_id}/deliveries?limit=100")[
            "data"
        ]
        return data

    def dead_letters(self) -> list[dict[str, Any]]:
        sqs = self.stack.session.client("sqs")
        url = self.stack.local.physical["WebhookDeliveryDeadLetterQueue"]
        messages: list[dict[str, Any]] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        return messages


@pytest.fixture
def deliveries(make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Deliveries]:
    def make(schedule: str = INSTANT) -> Deliveries:
        stack = make_stack()
        monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")  # what the local stack sets
        monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", schedule)
        return Deliveries(stack)

    return make


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def test_an_event_reaches_its_subscribers_signed_and_verifiable(
    deliveries: Callable[[str], Deliveries], receiver: Receiver
) -> None:
    # given: two endpoints for order.created, one for something else
    d = deliveries(INSTANT)
    first = d.subscribe(receiver.url)
    receiver.secret = first["secret"]
    d.subscribe(receiver.url)  # a second endpoint at the same URL, with a secret of its own
    other = d.subscribe(receiver.url, ["product.updated"])
    # when
    event_id = d.emit()
    d.run()
    # then: one delivery per subscribed endpoint, each with the event's id as webhook-id
    assert len(receiver.received) == 2
    assert {r.webhook_id for r in receiver.received} == {event_id}
    verified = [r for r in receiver.received if r.verified]
    assert len(verified) == 1  # the receiver holds the first endpoint's secret only
    envelope = verified[0].event
    assert envelope["id"] == event_id
    assert envelope["type"] == "order.created"
    assert envelope["api_version"] == "v1"
    assert envelope["sequence"] == 1
    assert envelope["data"] == {"id": "ord_1", "object": "order"}
    assert d.attempts(other["id"]) == []
    (attempt,) = d.attempts(first["id"])
    assert (attempt["event_id"], attempt["status_code"], attempt["outcome"]) == (event_id, 200, "succeeded")
    assert attempt["response"] == '{"ok": true}'


def test_tampering_a_wrong_secret_and_stale_timestamps_are_rejected_by_the_receiver(
    deliveries: Callable[[str], Deliveries], receiver: Receiver
) -> None:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    # given: one genuine delivery
    d = deliveries(INSTANT)
    secret = d.subscribe(receiver.url)["secret"]
    d.emit()
    d.run()
    (genuine,) = receiver.received
    Webhook(secret).verify(genuine.body, genuine.headers)
    # then: a changed body, another secret, a timestamp over 5 minutes old all fail verification
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(genuine.body.replace(b"ord_1", b"ord_2"), genuine.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(genuine.body, genuine.headers)
    from fashionos.webhooks.signing import signed_headers

    stale = signed_headers([secret], genuine.webhook_id, int(time.time()) - 301, genuine.body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(genuine.body, stale)


def test_during_a_secret_rotation_receivers_with_either_secret_verify(
    deliveries: Callable[[str], Deliveries], receiver: Receiver
) -> None:
    from standardwebhooks.webhooks import Webhook

    # given
    d = deliveries(INSTANT)
    webhook = d.subscribe(receiver.url)
    old = webhook["secret"]
    new = d.api("POST", f"/v1/webhooks/{webhook['id']}/rotate-secret")["secret"]
    # when
    d.emit()
    d.run()
    # then: two signatures; each secret verifies the delivery on its own
    (delivery,) = receiver.received
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(delivery.body, delivery.headers)
    Webhook(new).verify(delivery.body, delivery.headers)


def test_a_receiver_down_then_failing_then_up_gets_the_event_with_the_same_webhook_id(
    deliveries: Callable[[str], Deliveries],
) -> None:
    # given: nothing listens on the endpoint's port yet
    d = deliveries(ONE_SECOND)
    port = free_port()
    webhook = d.subscribe(f"http://127.0.0.1:{port}/hooks")
    event_id = d.emit()
    d.run()  # attempt 1: connection refused
    with Receiver(webhook["secret"], port=port) as receiver:
        receiver.answers.append(500)
        time.sleep(1.2)
        d.run()  # attempt 2: 500
        time.sleep(1.2)
        d.run()  # attempt 3: 200
    # then
    assert [r.status for r in receiver.received] == [500, 200]
    assert {r.webhook_id for r in receiver.received} == {event_id}
    assert all(r.verified for r in receiver.received)
    log = list(reversed(d.attempts(webhook["id"])))  # oldest first
    assert [a["attempt"] for a in log] == [1, 2, 3]
    assert [a["outcome"] for a in log] == ["retrying", "retrying", "succeeded"]
    assert [a["status_code"] for a in log] == [None, 500, 200]
    assert "Could not connect" in log[0]["error"]
    assert log[0]["next_attempt_at"] is not None
    assert log[2]["next_attempt_at"] is None
    event = d.api("GET", f"/v1/events/{event_id}")
    assert event["delivery"] == {"succeeded": True, "failed_webhooks": []}


def test_a_receiver_that_never_recovers_ends_in_the_dlq_then_a_replay_delivers(
    deliveries: Callable[[str], Deliveries],
) -> None:
    # given: a receiver that always answers 500
    d = deliveries(INSTANT)
    with Receiver(default=500) as receiver:
        webhook = d.subscribe(receiver.url)
        receiver.secret = webhook["secret"]
        event_id = d.emit()
        # when: the whole schedule runs
        d.run()
        # then: 8 attempts, the event failed for this endpoint, the message in the DLQ
        assert len(receiver.received) == 8
        log = d.attempts(webhook["id"])
        assert [a["outcome"] for a in log] == ["failed"] + ["retrying"] * 7
        assert d.api("GET", f"/v1/events/{event_id}")["delivery"] == {
            "succeeded": False,
            "failed_webhooks": [webhook["id"]],
        }
        failed = d.api("GET", "/v1/events?delivery_success=false")["data"]
        assert [e["id"] for e in failed] == [event_id]
        d.run()  # the 9th receive is SQS's move to the DLQ
        (dead,) = d.dead_letters()
        assert event_id in dead["Body"]
        # when: the receiver recovers, and the partner replays the event
        receiver.default = 200
        replayed = d.api("POST", f"/v1/events/{event_id}/replay", {"webhook_id": webhook["id"]})
        d.run()
    # then: delivered with the same webhook-id; the event is no longer failed
    assert replayed == {"event_id": event_id, "webhook_ids": [webhook["id"]]}
    assert receiver.received[-1].status == 200
    assert receiver.received[-1].webhook_id == event_id
    assert receiver.received[-1].verified
    assert d.api("GET", f"/v1/events/{event_id}")["delivery"]["succeeded"] is True
    assert d.api("GET", "/v1/events?delivery_success=false")["data"] == []


def test_recover_resends_the_failed_deliveries_of_a_window(deliveries: Callable[[str], Deliveries]) -> None:
    # given: two events that failed for good while the receiver was down
    d = deliveries(INSTANT)
    port = free_port()
    webhook = d.subscribe(f"http://127.0.0.1:{port}/hooks")
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    failed = {d.emit("ord_1"), d.emit("ord_2")}
    d.run()
    # when
    with Receiver(webhook["secret"], port=port) as receiver:
        recovering = d.api("POST", f"/v1/webhooks/{webhook['id']}/recover", {"since": since})
        d.run()
    # then
    assert set(recovering["event_ids"]) == failed
    assert {r.webhook_id for r in receiver.received} == failed
    assert all(r.verified and r.status == 200 for r in receiver.received)


def test_a_410_disables_the_endpoint_and_nothing_more_is_sent(
    deliveries: Callable[[str], Deliveries], receiver: Receiver
) -> None:
    d = deliveries(INSTANT)
    webhook = d.subscribe(receiver.url)
    receiver.answers.append(410)
    d.emit("ord_1")
    d.run()
    d.emit("ord_2")
    d.run()
    assert [r.status for r in receiver.received] == [410]
    shown = d.api("GET", f"/v1/webhooks/{webhook['id']}")
    assert (shown["status"], shown["disabled_reason"]) == ("disabled", "The endpoint answered 410 Gone")
    assert d.dead_letters() == []  # dropped, not dead-lettered: the event is marked failed instead
    failed = d.api("GET", "/v1/events?delivery_success=false")["data"]
    assert len(failed) == 1  # ord_2 was fanned out to nobody: the endpoint was already disabled


def test_429_retry_after_is_honoured(deliveries: Callable[[str], Deliveries], receiver: Receiver) -> None:
    d = deliveries(INSTANT)
    webhook = d.subscribe(receiver.url)
    receiver.answers.append((429, {"Retry-After": "1"}))
    d.emit()
    d.run()  # the retry is hidden for at least a second despite the instant schedule
    assert [r.status for r in receiver.received] == [429]
    (attempt,) = d.attempts(webhook["id"])
    assert attempt["outcome"] == "retrying"
    time.sleep(1.2)
    d.run()
    assert [r.status for r in receiver.received] == [429, 200]


def test_a_host_resolving_privately_at_delivery_is_not_contacted(
    deliveries: Callable[[str], Deliveries], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a name that resolved publicly when registered
    d = deliveries(INSTANT)
    answers = {"hooks.partner.example": "93.184.216.34"}

    def resolve(host: str, port: int, type: int = 0, **_: Any) -> list[tuple[Any, ...]]:
        return [(2, 1, 6, "", (answers[host], port))]

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    sent: list[Any] = []
    monkeypatch.setattr(sender, "post", lambda *args, **kwargs: sent.append(args))
    webhook = d.subscribe("https://hooks.partner.example/hooks")
    # when: it now resolves to the cloud metadata address (DNS rebinding)
    answers["hooks.partner.example"] = "169.254.169.254"
    d.emit()
    d.run()
    # then: no connection was attempted; each attempt is logged as not sent
    assert sent == []
    log = d.attempts(webhook["id"])
    assert len(log) == 8
    assert all(a["status_code"] is None and "not public" in a["error"] for a in log)


def test_deliveries_go_to_the_addresses_checked_not_to_a_new_lookup(
    deliveries: Callable[[str], Deliveries], monkeypatch: pytest.MonkeyPatch
) -> None:
    d = deliveries(INSTANT)
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda host, port, type=0, **_: [(2, 1, 6, "", ("93.184.216.34", port))]
    )
    calls: list[tuple[Any, ...]] = []

    def post(endpoint: Any, addresses: Any, headers: Any, body: Any) -> sender.HttpResult:
        calls.append((endpoint.host, [str(a) for a in addresses], headers["webhook-id"]))
        return sender.HttpResult(status=204, duration_ms=3, response="")

    monkeypatch.setattr(sender, "post", post)
    d.subscribe("https://hooks.partner.example/hooks")
    event_id = d.emit()
    d.run()
    assert calls == [("hooks.partner.example", ["93.184.216.34"], event_id)]


def test_nothing_is_lost_when_the_delivery_function_dies_mid_batch(
    deliveries: Callable[[str], Deliveries], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Crash(BaseException):
        """Like the Lambda runtime killing the function: nothing in the handler can catch it."""

    # given: 6 events, and a delivery function that dies on its 3rd POST
    d = deliveries(INSTANT)
    receiver.secret = d.subscribe(receiver.url)["secret"]
    sqs = d.stack.session.client("sqs")
    queue = d.stack.local.physical["WebhookDeliveryQueue"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "1"})  # a quick Lambda retry
    real_post, posts = sender.post, []

    def dying_post(*args: Any, **kwargs: Any) -> sender.HttpResult:
        posts.append(1)
        if len(posts) == 3:
            raise Crash
        return real_post(*args, **kwargs)

    monkeypatch.setattr(sender, "post", dying_post)
    events = {d.emit(f"ord_{i}") for i in range(6)}
    # when
    with pytest.raises(Crash):
        d.run()
    time.sleep(1.5)  # the batch's messages become visible again
    d.run()
    # then: every event arrived, verified, and none twice
    assert sorted(r.webhook_id for r in receiver.received) == sorted(events)
    assert all(r.verified for r in receiver.received)


def test_a_state_change_and_its_event_commit_together_or_not_at_all(
    deliveries: Callable[[str], Deliveries],
) -> None:
    d = deliveries(INSTANT)
    dynamodb = d.stack.session.client("dynamodb")
    table = d.stack.local.physical["PartnerTable"]
    change = {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": "ORDER#ord_9"}, "sk": {"S": "ORDER"}, "status": {"S": "created"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    outbox = d.outbox()
    (first,) = outbox.commit(d.org_id, [NewEvent("order.created", {"id": "ord_9"})], [change])
    with pytest.raises(ChangeRejected):  # the same order again: its condition fails
        outbox.commit(d.org_id, [NewEvent("order.created", {"id": "ord_9"})], [change])
    (second,) = outbox.commit(d.org_id, [NewEvent("order.fulfilled", {"id": "ord_9"})])
    events = d.api("GET", "/v1/events")["data"]
    assert [(e["id"], e["sequence"]) for e in events] == [(second.event_id, 2), (first.event_id, 1)]
    assert "Item" in dynamodb.get_item(
        TableName=table, Key={"pk": {"S": "ORDER#ord_9"}, "sk": {"S": "ORDER"}}
    )
