"""The local event source mappings on moto, with toy handlers in place of the webhook functions.

Each test registers the handlers it needs; ``EventSources.run_until_idle`` then polls the template's outbox
stream (→ WebhookFanoutFunction) and delivery queue (→ WebhookDeliveryFunction) in the test's thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devserver.moto_server import MotoServer
from devserver.pollers import EventSources, Handler
from devserver.template import LocalTemplate, create_resources, load_template

FANOUT = "WebhookFanoutFunction"
DELIVERY = "WebhookDeliveryFunction"
Event = dict[str, Any]


@dataclass
class World:
    """Resources made from the real template, and the toy handlers standing in for its functions."""

    session: boto3.Session
    local: LocalTemplate
    handlers: dict[str, Handler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sqs = self.session.client("sqs")
        self.dynamodb = self.session.client("dynamodb")
        self.queue_url = self.local.physical["WebhookDeliveryQueue"]
        self.dead_letter_url = self.local.physical["WebhookDeliveryDeadLetterQueue"]
        self.event_table = self.local.physical["EventTable"]

    def sources(self, endpoint_url: str | None = None) -> EventSources:
        return EventSources(
            self.local, self.session, self.handlers.__getitem__, endpoint_url=endpoint_url, retry_backoff=0
        )

    def event_property(self, function: str, name: str, value: Any) -> None:
        """Change a property of ``function``'s one event, before ``sources()`` reads the template."""
        events = self.local.resources[function]["Properties"]["Events"]
        (event,) = events.values()
        event["Properties"][name] = value

    def send(self, *bodies: str) -> None:
        for body in bodies:
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)

    def counts(self, url: str | None = None) -> tuple[int, int]:
        """(visible, in flight) messages of the delivery queue, or of ``url``."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url or self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )

    def put_event(self, sk: str, kind: str | None = "event") -> None:
        item = {"pk": {"S": "ORG#o1"}, "sk": {"S": sk}}
        if kind is not None:
            item["kind"] = {"S": kind}
        self.dynamodb.put_item(TableName=self.event_table, Item=item)


@pytest.fixture
def world(moto: None) -> World:
    session = boto3.Session(region_name="us-east-1")
    local = LocalTemplate(load_template(), "test")
    create_resources(local, session)
    return World(session, local)


def recording(batches: list[list[Event]], respond: Callable[[list[Event]], Any] = lambda _: None) -> Handler:
    """A handler that keeps each batch's records and answers what ``respond`` makes of them."""

    def handler(event: Event, context: Any) -> Any:
        assert context.get_remaining_time_in_millis() > 0
        batches.append(event["Records"])
        return respond(event["Records"])

    return handler


def failures(identifiers: list[str]) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": identifier} for identifier in identifiers]}


def bodies(batches: list[list[Event]]) -> list[list[str]]:
    return [[record["body"] for record in batch] for batch in batches]


def sort_keys(batches: list[list[Event]]) -> list[list[str]]:
    return [[record["dynamodb"]["Keys"]["sk"]["S"] for record in batch] for batch in batches]


# --- SQS ---


def test_a_batch_reaches_the_handler_as_lambdas_sqs_event(world: World) -> None:
    batches: list[list[Event]] = []
    world.handlers[DELIVERY] = recording(batches)
    world.sqs.send_message(
        QueueUrl=world.queue_url,
        MessageBody='{"event": "evt_1"}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "webhook"}},
    )
    world.sources().run_until_idle()

    ((record,),) = batches
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert record["body"] == '{"event": "evt_1"}'
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324 - SQS's
    assert (record["eventSource"], record["awsRegion"]) == ("aws:sqs", "us-east-1")
    assert record["eventSourceARN"] == world.local.get_att("WebhookDeliveryQueue", "Arn")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"] == {
        "kind": {
            "stringValue": "webhook",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
    }
    assert world.counts() == (0, 0)  # handled: deleted


def test_a_partial_failure_deletes_the_rest_and_the_failed_message_comes_back(world: World) -> None:
    batches: list[list[Event]] = []
    failed_once: set[str] = set()

    def fail_b_once(records: list[Event]) -> Any:
        fresh = [r["messageId"] for r in records if r["body"] == "b" and r["messageId"] not in failed_once]
        failed_once.update(fresh)
        return failures(fresh)

    world.handlers[DELIVERY] = recording(batches, fail_b_once)
    world.send("a", "b", "c")
    sources = world.sources()
    sources.run_until_idle()

    assert bodies(batches) == [["a", "b", "c"]]
    assert world.counts() == (0, 1)  # b waits out its visibility timeout (180 s): not work left
    (b,) = [record for record in batches[0] if record["body"] == "b"]
    world.sqs.change_message_visibility(
        QueueUrl=world.queue_url, ReceiptHandle=b["receiptHandle"], VisibilityTimeout=0
    )
    time.sleep(0.01)  # moto: visible once the clock is past the moment it was made visible
    sources.run_until_idle()

    assert bodies(batches) == [["a", "b", "c"], ["b"]]
    assert batches[1][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert world.counts() == (0, 0)


@pytest.mark.parametrize(
    "outcome",
    ["raise", {"batchItemFailures": [{"itemIdentifier": ""}]}, failures(["not-in-this-batch"])],
)
def test_a_failed_invocation_deletes_nothing(world: World, outcome: Any) -> None:
    def respond(records: list[Event]) -> Any:
        if outcome == "raise":
            raise RuntimeError("endpoint store unavailable")
        return outcome

    batches: list[list[Event]] = []
    world.handlers[DELIVERY] = recording(batches, respond)
    world.send("a", "b")
    world.sources().run_until_idle()

    assert bodies(batches) == [["a", "b"]]
    assert world.counts() == (0, 2)


def test_without_report_batch_item_failures_a_response_cannot_keep_messages(world: World) -> None:
    world.event_property(DELIVERY, "FunctionResponseTypes", [])
    world.handlers[DELIVERY] = recording([], lambda records: failures([records[0]["messageId"]]))
    world.send("a", "b")
    world.sources().run_until_idle()
    assert world.counts() == (0, 0)


def test_the_visibility_a_handler_sets_is_respected(world: World) -> None:
    batches: list[list[Event]] = []

    def retry_in_one_second(records: list[Event]) -> Any:
        for record in records:
            world.sqs.change_message_visibility(
                QueueUrl=world.queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=1
            )
        return failures([record["messageId"] for record in records])

    world.handlers[DELIVERY] = recording(batches, retry_in_one_second)
    world.send("a")
    sources = world.sources()
    started = time.monotonic()
    sources.run_until_idle()
    assert time.monotonic() - started < 0.5  # a delayed message is not waited for
    assert (len(batches), world.counts()) == (1, (0, 1))

    time.sleep(1.1)
    sources.run_until_idle()
    assert [batch[0]["attributes"]["ApproximateReceiveCount"] for batch in batches] == ["1", "2"]


def test_a_message_moves_to_the_dead_letter_queue_after_max_receive_count(world: World) -> None:
    receives: list[str] = []

    def fail_and_retry_now(event: Event, context: Any) -> Any:
        (record,) = event["Records"]
        receives.append(record["attributes"]["ApproximateReceiveCount"])
        world.sqs.change_message_visibility(
            QueueUrl=world.queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
        )
        return failures([record["messageId"]])

    world.handlers[DELIVERY] = fail_and_retry_now
    world.send("doomed")
    sources = world.sources()
    for _ in range(100):
        sources.run_until_idle()
        if world.counts(world.dead_letter_url) != (0, 0):
            break
        time.sleep(0.005)

    assert receives == [str(n) for n in range(1, 9)]  # maxReceiveCount: 8, then the DLQ
    assert world.counts() == (0, 0)
    (message,) = world.sqs.receive_message(QueueUrl=world.dead_letter_url)["Messages"]
    assert message["Body"] == "doomed"


def test_messages_no_filter_wants_are_deleted_unseen(world: World) -> None:
    world.event_property(DELIVERY, "FilterCriteria", {"Filters": [{"Pattern": '{"body": {"type": ["x"]}}'}]})
    batches: list[list[Event]] = []
    world.handlers[DELIVERY] = recording(batches)
    world.send('{"type": "x"}', '{"type": "y"}', "not json")
    world.sources().run_until_idle()
    assert bodies(batches) == [['{"type": "x"}']]
    assert world.counts() == (0, 0)


def test_an_invocation_past_the_function_timeout_failed(world: World) -> None:
    world.local.resources[DELIVERY]["Properties"]["Timeout"] = 1

    def slow(event: Event, context: Any) -> None:
        time.sleep(1.05)

    world.handlers[DELIVERY] = slow
    world.send("a")
    world.sources().run_until_idle()
    assert world.counts() == (0, 1)


def test_batches_hold_at_most_batch_size_messages(world: World) -> None:
    world.event_property(DELIVERY, "BatchSize", 2)
    batches: list[list[Event]] = []
    world.handlers[DELIVERY] = recording(batches)
    world.send("a", "b", "c")
    world.sources().run_until_idle()
    assert sorted(len(batch) for batch in batches) == [1, 2]
    assert world.counts() == (0, 0)


# --- DynamoDB stream ---


def test_inserted_events_reach_the_handler_in_order_and_nothing_else_does(world: World) -> None:
    batches: list[list[Event]] = []
    world.handlers[FANOUT] = recording(batches)
    world.put_event("EVT#1")
    world.put_event("SEQ#orders", kind="counter")
    world.put_event("EVT#2")
    world.dynamodb.update_item(  # a MODIFY of an event: delivery bookkeeping, not a new event
        TableName=world.event_table,
        Key={"pk": {"S": "ORG#o1"}, "sk": {"S": "EVT#1"}},
        UpdateExpression="SET delivered = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    world.put_event("NOTE#1", kind=None)
    world.put_event("EVT#3")
    sources = world.sources()
    sources.run_until_idle()

    assert sort_keys(batches) == [["EVT#1", "EVT#2", "EVT#3"]]
    record = batches[0][0]
    assert set(record) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert (record["eventName"], record["eventVersion"], record["eventSource"]) == (
        "INSERT",
        "1.1",
        "aws:dynamodb",
    )
    assert record["eventSourceARN"] == world.local.get_att("EventTable", "StreamArn")
    assert set(record["dynamodb"]) == {
        "ApproximateCreationDateTime",
        "Keys",
        "NewImage",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    }
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["dynamodb"]["NewImage"]["kind"] == {"S": "event"}
    assert record["dynamodb"]["StreamViewType"] == "NEW_IMAGE"
    json.dumps(batches)  # an event is JSON, as Lambda hands it over

    sources.run_until_idle()
    world.put_event("EVT#4")
    sources.run_until_idle()
    assert sort_keys(batches) == [["EVT#1", "EVT#2", "EVT#3"], ["EVT#4"]]  # nothing twice


def test_a_reported_failure_is_retried_from_that_record(world: World) -> None:
    batches: list[list[Event]] = []

    def fail_evt2_once(records: list[Event]) -> Any:
        failed = [
            r["dynamodb"]["SequenceNumber"] for r in records if r["dynamodb"]["Keys"]["sk"]["S"] == "EVT#2"
        ]
        return failures(failed) if len(batches) == 1 else None

    world.handlers[FANOUT] = recording(batches, fail_evt2_once)
    for sk in ("EVT#1", "EVT#2", "EVT#3"):
        world.put_event(sk)
    sources = world.sources()
    sources.run_until_idle()
    sources.run_until_idle()
    assert sort_keys(batches) == [["EVT#1", "EVT#2", "EVT#3"], ["EVT#2", "EVT#3"]]


def test_a_raising_handler_gets_the_whole_batch_again(world: World) -> None:
    batches: list[list[Event]] = []

    def raise_once(records: list[Event]) -> None:
        if len(batches) == 1:
            raise RuntimeError("queue unavailable")

    world.handlers[FANOUT] = recording(batches, raise_once)
    world.put_event("EVT#1")
    world.put_event("EVT#2")
    world.sources().run_until_idle()
    assert sort_keys(batches) == [["EVT#1", "EVT#2"], ["EVT#1", "EVT#2"]]


def test_retries_end_at_maximum_retry_attempts_and_the_failed_batch_is_discarded(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.event_property(FANOUT, "MaximumRetryAttempts", 2)
    batches: list[list[Event]] = []

    def always_fail_evt2(records: list[Event]) -> Any:
        return failures(
            [r["dynamodb"]["SequenceNumber"] for r in records if r["dynamodb"]["Keys"]["sk"]["S"] == "EVT#2"]
        )

    world.handlers[FANOUT] = recording(batches, always_fail_evt2)
    for sk in ("EVT#1", "EVT#2", "EVT#3"):
        world.put_event(sk)
    sources = world.sources()
    with caplog.at_level(logging.ERROR, logger="devserver.pollers"):
        sources.run_until_idle()
    # The first attempt, then two retries from EVT#2; Lambda then skips the batch it was retrying.
    assert sort_keys(batches) == [["EVT#1", "EVT#2", "EVT#3"], ["EVT#2", "EVT#3"], ["EVT#2", "EVT#3"]]
    assert "retries exhausted" in caplog.text

    world.put_event("EVT#4")
    sources.run_until_idle()
    assert sort_keys(batches)[3:] == [["EVT#4"]]


def test_batches_hold_at_most_batch_size_records(world: World) -> None:
    world.event_property(FANOUT, "BatchSize", 2)
    batches: list[list[Event]] = []
    world.handlers[FANOUT] = recording(batches)
    for sk in ("EVT#1", "EVT#2", "EVT#3"):
        world.put_event(sk)
    world.sources().run_until_idle()
    assert sort_keys(batches) == [["EVT#1", "EVT#2"], ["EVT#3"]]


def test_records_written_after_a_cancelled_transaction_are_still_read(world: World) -> None:
    """moto swaps the table for a snapshot when a transaction is cancelled: the poller must follow."""
    batches: list[list[Event]] = []
    world.handlers[FANOUT] = recording(batches)
    sources = world.sources()
    world.put_event("EVT#1")
    sources.run_until_idle()
    with pytest.raises(ClientError, match="TransactionCanceled"):
        world.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": world.event_table,
                        "Item": {"pk": {"S": "ORG#o1"}, "sk": {"S": "EVT#1"}, "kind": {"S": "event"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    world.put_event("EVT#2")
    sources.run_until_idle()
    assert sort_keys(batches) == [["EVT#1"], ["EVT#2"]]


# --- Both, one after the other ---


def test_run_until_idle_drives_fan_out_then_delivery(world: World) -> None:
    delivered: list[list[Event]] = []

    def fan_out(event: Event, context: Any) -> None:
        for record in event["Records"]:
            for endpoint in ("https://a.example", "https://b.example"):
                sk = record["dynamodb"]["Keys"]["sk"]["S"]
                world.send(json.dumps({"event": sk, "endpoint": endpoint}))

    world.handlers[FANOUT] = fan_out
    world.handlers[DELIVERY] = recording(delivered)
    world.put_event("EVT#1")
    world.sources().run_until_idle()
    assert sorted(body for batch in bodies(delivered) for body in batch) == [
        '{"event": "EVT#1", "endpoint": "https://a.example"}',
        '{"event": "EVT#1", "endpoint": "https://b.example"}',
    ]
    assert world.counts() == (0, 0)


# --- Threads, on the moto server the local stack runs ---


def test_the_pollers_run_in_threads_against_the_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with MotoServer() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)  # what LocalStack.start sets
        session = boto3.Session(region_name="us-east-1")
        local = LocalTemplate(load_template(), "threads")
        create_resources(local, session)
        world = World(session, local)
        done = threading.Event()
        delivered: list[list[Event]] = []

        def fan_out(event: Event, context: Any) -> None:
            for record in event["Records"]:
                world.send(record["dynamodb"]["Keys"]["sk"]["S"])

        def deliver(event: Event, context: Any) -> None:
            delivered.append(event["Records"])
            done.set()

        # the upload queue's poller takes S3's test event (sent when the bucket's notification was set)
        world.handlers.update(
            {
                FANOUT: fan_out,
                DELIVERY: deliver,
                "ConfirmAssetUploadFunction": lambda *_: None,
                "RunExportFunction": lambda *_: None,
            }
        )
        sources = world.sources(endpoint_url=server.url).start()
        try:
            world.put_event("EVT#1")
            assert done.wait(15), "the stream record never became a delivery"
        finally:
            started = time.monotonic()
            sources.stop()
            assert time.monotonic() - started < 2  # stopping does not wait out an idle poll
        assert bodies(delivered) == [["EVT#1"]]
        assert world.counts() == (0, 0)
