"""Lambda's event source mappings for the local stack: the template's ``SQS`` and ``DynamoDB`` events, polled.

Each event source gets a poller that does what Lambda's poller does for it:

- **SQS**: receive up to ``BatchSize`` messages, invoke the function with them as Lambda's SQS event, then
  delete the messages it handled. With ``ReportBatchItemFailures`` the messages listed in
  ``batchItemFailures`` stay; a response naming an empty or unknown identifier, a raised error or a timeout
  leaves the whole batch. Visibility is never touched: a message left in the queue comes back when the
  visibility its receive (or the handler's own ``ChangeMessageVisibility``) gave it runs out, and SQS itself
  moves it to the dead-letter queue on the receive after ``maxReceiveCount``.
- **DynamoDB streams**: read each shard in order from ``StartingPosition``, drop records no filter matches,
  invoke the function with batches of up to ``BatchSize`` records. A failure (the lowest sequence number in
  ``batchItemFailures``, or the whole batch for an error) checkpoints before the failed record, which is
  retried after a backoff; past ``MaximumRetryAttempts`` the failed batch is discarded from that record on,
  as Lambda discards it, and logged.

``EventSources.start()`` polls in one daemon thread per source (``make dev``); ``run_until_idle()`` polls in
the caller's thread until nothing is left to do, for tests on in-process moto, which is not thread-safe.
Handlers run in this process, as the dev gateway runs them.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config

from devserver.gateway import LambdaContext
from devserver.template import Function, LocalTemplate, SqsEventSource, StreamEventSource

Handler = Callable[[dict[str, Any], Any], Any]
HandlerLookup = Callable[[str], Handler]  # function logical id → its handler (``Gateway.handler``)

# The shortest wait between two polls that found nothing (a source's batching window, when longer).
MIN_IDLE_SECONDS = 0.5
# GetRecords' own maximum: one call reads what is there, filtering happens after.
STREAM_READ_LIMIT = 1000
# moto (5.2) serves DynamoDB Streams only on the regional endpoint, not the account-based one botocore
# prefers once it knows the account; the regional endpoint works on AWS as well.
STREAMS_CONFIG = Config(account_id_endpoint_mode="disabled")

log = logging.getLogger("devserver.pollers")
_MISSING = object()  # a field the event does not have, which only ``{"exists": false}`` matches


def matches(pattern: dict[str, Any], event: Any) -> bool:
    """Whether ``event`` matches one Lambda event filter ``pattern``.

    A pattern nests objects as the event does and ends in lists of rules, any of which may match the
    field: a value (equal to it), ``{"prefix": s}``, ``{"exists": bool}`` or ``{"anything-but": values}``.
    A field that is a list matches when one of its elements does (``anything-but``: when none is excluded).
    """
    for key, expected in pattern.items():
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not matches(expected, value):
                return False
        elif not isinstance(expected, list):
            raise ValueError(f"Filter pattern field {key!r}: expected an object or a list of rules")
        elif not any(_rule_matches(rule, value) for rule in expected):
            return False
    return True


def matches_any(filters: Sequence[dict[str, Any]], event: dict[str, Any]) -> bool:
    """Lambda's FilterCriteria: no filter lets everything through, otherwise any one filter must match."""
    return not filters or any(matches(pattern, event) for pattern in filters)


def _rule_matches(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        ((operator, argument),) = rule.items()
        if operator == "exists":
            return (value is not _MISSING) is bool(argument)
        if value is _MISSING:
            return False
        values = value if isinstance(value, list) else [value]
        if operator == "prefix":
            return any(isinstance(v, str) and v.startswith(argument) for v in values)
        if operator == "anything-but" and not isinstance(argument, dict):
            excluded = argument if isinstance(argument, list) else [argument]
            return not any(_equal(v, other) for v in values for other in excluded)
        raise ValueError(f"Unsupported filter rule {rule!r}")
    if value is _MISSING:
        return False
    return any(_equal(v, rule) for v in (value if isinstance(value, list) else [value]))


def _equal(value: Any, rule: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, as Python's ``True == 1`` would have it."""
    return bool(value == rule and isinstance(value, bool) == isinstance(rule, bool))


def reported_failures(response: Any, identifiers: Sequence[str]) -> set[str] | None:
    """The identifiers a ``ReportBatchItemFailures`` response lists as failed; ``None`` when Lambda counts
    the whole batch as failed: a response that is not an object, or an empty or unknown ``itemIdentifier``.
    No response, an empty one and an empty or null ``batchItemFailures`` all mean success."""
    if response is None:
        return set()
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if not failures:
        return set()
    if not isinstance(failures, list):
        return None
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in identifiers:
            return None
        failed.add(identifier)
    return failed


class Poller(ABC):
    """What both kinds of source share: the function, its handler, and one invocation of it."""

    def __init__(
        self, source: SqsEventSource | StreamEventSource, function: Function, handler: HandlerLookup
    ) -> None:
        self.source = source
        self.function = function
        self._handler = handler
        self.idle_seconds = max(MIN_IDLE_SECONDS, source.batching_window_seconds)
        _, _, _, self.region, self.account_id, _ = source.source_arn.split(":", 5)

    @property
    def waiting_to_retry(self) -> bool:
        """Whether a failed batch is waiting for its retry (work left, although a poll finds none now)."""
        return False

    @abstractmethod
    def poll(self) -> bool:
        """Handle what the source has now; ``False`` when there was nothing."""

    def invoke(self, records: list[dict[str, Any]], identifiers: list[str]) -> set[str] | None:
        """Run the function on ``{"Records": records}``: the identifiers of the records that failed, or
        ``None`` when the whole batch did (an error, a timeout, an invalid batch response)."""
        name = self.source.function
        context = LambdaContext(
            function_name=name,
            aws_request_id=str(uuid.uuid4()),
            invoked_function_arn=f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}",
            deadline=time.monotonic() + self.function.timeout_seconds,
        )
        try:
            response = self._handler(name)({"Records": records}, context)
        except Exception:
            log.exception("%s failed on a batch of %d records", name, len(records))
            return None
        if time.monotonic() > context.deadline:  # Lambda would have stopped it: the batch failed
            log.error("%s timed out after %d s on a batch", name, self.function.timeout_seconds)
            return None
        if not self.source.report_batch_item_failures:
            return set()
        failed = reported_failures(response, identifiers)
        if failed is None:
            log.error("%s: invalid batchItemFailures, the whole batch failed: %r", name, response)
        return failed


class QueuePoller(Poller):
    """One SQS queue, a batch at a time."""

    source: SqsEventSource

    def __init__(self, source: SqsEventSource, function: Function, handler: HandlerLookup, sqs: Any) -> None:
        super().__init__(source, function, handler)
        self._sqs = sqs

    def poll(self) -> bool:
        messages = self._receive()
        if not messages:
            return False
        records = [self._record(message) for message in messages]
        wanted = [record for record in records if matches_any(self.source.filters, _filtered_view(record))]
        done = [record for record in records if record not in wanted]  # Lambda deletes what no filter wants
        if wanted:
            failed = self.invoke(wanted, [record["messageId"] for record in wanted])
            if failed is not None:
                done += [record for record in wanted if record["messageId"] not in failed]
        self._delete(done)
        return True

    def _receive(self) -> list[dict[str, Any]]:
        """Up to a batch of visible messages. Never a long poll: the local moto server serves one request
        at a time, so a receive waiting for messages would hold up every other call, the sends included."""
        messages: list[dict[str, Any]] = []
        while len(messages) < self.source.batch_size:
            wanted = min(10, self.source.batch_size - len(messages))
            received = self._sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=wanted,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages += received
            if len(received) < wanted:
                break
        return messages

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as Lambda's SQS event carries it."""
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {
                name: _message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.source.source_arn,
            "awsRegion": self.region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                for index, record in enumerate(records[start : start + 10])
            ]
            failed = self._sqs.delete_message_batch(QueueUrl=self.source.queue_url, Entries=entries).get(
                "Failed", []
            )
            for failure in failed:
                log.warning("%s: could not delete a message: %s", self.source.function, failure)


def _filtered_view(record: dict[str, Any]) -> dict[str, Any]:
    """What SQS filters see: the body as JSON when it is JSON, else as the string it is."""
    try:
        return {**record, "body": json.loads(record["body"])}
    except ValueError:
        return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """An SQS message attribute as Lambda's event spells it (binary values in base64)."""
    attribute: dict[str, Any] = {
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": [base64.b64encode(v).decode() for v in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


@dataclass
class _Shard:
    shard_id: str
    # Where reading resumes: (iterator type, sequence number); None until the first record was consumed.
    position: tuple[str, str] | None = None
    start_iterator: str | None = None  # LATEST is a moment, not a place: followed until there is a position
    failures: int = 0  # consecutive failed invocations at ``position``
    retry_at: float = 0.0


class StreamPoller(Poller):
    """One DynamoDB stream's shards, each read in order with a checkpoint.

    Every poll reads through a fresh iterator from the checkpoint. moto replaces a table, stream shard
    included, with a snapshot taken before any cancelled transaction that touched it, so an iterator taken
    earlier reads a discarded shard that never grows again; a fresh one reads the live shard. (moto keeps
    every iterator it hands out, about 1.7 KB each: an idle stream grows the moto server by some 12 MB an
    hour at one poll a second.)
    """

    source: StreamEventSource

    def __init__(
        self,
        source: StreamEventSource,
        function: Function,
        handler: HandlerLookup,
        streams: Any,
        retry_backoff: float,
    ) -> None:
        super().__init__(source, function, handler)
        self._streams = streams
        self._retry_backoff = retry_backoff
        self._shards: list[_Shard] | None = None

    @property
    def waiting_to_retry(self) -> bool:
        return any(shard.failures for shard in self._shards or [])

    def poll(self) -> bool:
        if self._shards is None:
            description = self._streams.describe_stream(StreamArn=self.source.source_arn)["StreamDescription"]
            self._shards = [_Shard(shard["ShardId"]) for shard in description["Shards"]]
        worked = False
        for shard in self._shards:
            worked = self._poll_shard(shard) or worked
        return worked

    def _poll_shard(self, shard: _Shard) -> bool:
        if time.monotonic() < shard.retry_at:
            return False
        records = [self._record(raw) for raw in self._read(shard)]
        if not records:
            return False
        wanted = [record for record in records if matches_any(self.source.filters, record)]
        for start in range(0, len(wanted), self.source.batch_size):
            batch = wanted[start : start + self.source.batch_size]
            sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
            failed = self.invoke(batch, sequence_numbers)
            if failed is None or failed:
                first = 0 if failed is None else min(i for i, n in enumerate(sequence_numbers) if n in failed)
                self._failed(shard, sequence_numbers[first:])
                return True
            shard.failures, shard.position = 0, ("AFTER_SEQUENCE_NUMBER", sequence_numbers[-1])
        # The records no filter wanted after the last batch are consumed too.
        shard.failures = 0
        shard.position = ("AFTER_SEQUENCE_NUMBER", records[-1]["dynamodb"]["SequenceNumber"])
        return True

    def _read(self, shard: _Shard) -> list[dict[str, Any]]:
        if shard.position is not None:
            kind, sequence_number = shard.position
            iterator = self._streams.get_shard_iterator(
                StreamArn=self.source.source_arn,
                ShardId=shard.shard_id,
                ShardIteratorType=kind,
                SequenceNumber=sequence_number,
            )["ShardIterator"]
        else:
            iterator = (
                shard.start_iterator
                or self._streams.get_shard_iterator(
                    StreamArn=self.source.source_arn,
                    ShardId=shard.shard_id,
                    ShardIteratorType=self.source.starting_position,
                )["ShardIterator"]
            )
        response = self._streams.get_records(ShardIterator=iterator, Limit=STREAM_READ_LIMIT)
        if shard.position is None and self.source.starting_position == "LATEST":
            shard.start_iterator = response.get("NextShardIterator")
        records: list[dict[str, Any]] = response["Records"]
        return records

    def _failed(self, shard: _Shard, sequence_numbers: list[str]) -> None:
        """The batch failed from ``sequence_numbers[0]`` on: retry from there, or give up on it."""
        position = ("AT_SEQUENCE_NUMBER", sequence_numbers[0])
        shard.failures = shard.failures + 1 if shard.position == position else 1
        shard.position = position
        if shard.failures > self.source.maximum_retry_attempts:
            log.error(
                "%s: retries exhausted, discarding stream records %s",
                self.source.function,
                ", ".join(sequence_numbers),
            )
            shard.failures, shard.position = 0, ("AFTER_SEQUENCE_NUMBER", sequence_numbers[-1])
            shard.retry_at = 0.0
        else:
            shard.retry_at = time.monotonic() + self._retry_backoff

    def _record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A stream record as Lambda's DynamoDB event carries it (GetRecords differs in version and types)."""
        dynamodb = dict(raw["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        record = {
            "eventID": raw["eventID"],
            "eventName": raw["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": _base64_binaries(dynamodb),
            "eventSourceARN": self.source.source_arn,
        }
        if "userIdentity" in raw:  # TTL deletions
            record["userIdentity"] = raw["userIdentity"]
        return record


def _base64_binaries(value: Any) -> Any:
    """Binary attribute values (``B``, ``BS``) as the base64 strings of an event's JSON."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _base64_binaries(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_base64_binaries(item) for item in value]
    return value


class EventSources:
    """The template's event source mappings, polled for handlers that run in this process."""

    def __init__(
        self,
        local: LocalTemplate,
        session: boto3.Session,
        handler: HandlerLookup,
        *,
        endpoint_url: str | None = None,
        retry_backoff: float = 1.0,
    ) -> None:
        """``local`` after ``create_resources``; ``handler`` finds a function's handler by logical id;
        ``retry_backoff`` is the wait before a failed stream batch is retried."""
        functions = local.functions()
        sqs = session.client("sqs", endpoint_url=endpoint_url)
        streams = session.client("dynamodbstreams", endpoint_url=endpoint_url, config=STREAMS_CONFIG)
        self.pollers: list[Poller] = [
            QueuePoller(source, functions[source.function], handler, sqs)
            if isinstance(source, SqsEventSource)
            else StreamPoller(source, functions[source.function], handler, streams, retry_backoff)
            for source in local.event_sources()
        ]
        self._handler = handler
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> EventSources:
        """Import the handlers (their cold starts, paid now), then poll each source in a thread of its own."""
        for poller in self.pollers:
            self._handler(poller.source.function)
        self._stopping.clear()
        self._threads = [
            threading.Thread(
                target=self._run, args=(poller,), name=f"poll-{poller.source.function}", daemon=True
            )
            for poller in self.pollers
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling; a handler still running after ``timeout`` finishes on its own (daemon thread)."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("%s still busy after %s s", thread.name, timeout)
        self._threads = []

    def _run(self, poller: Poller) -> None:
        while not self._stopping.is_set():
            try:
                busy = poller.poll()
            except Exception:  # moto restarting, a queue deleted by hand: keep polling
                log.exception("polling %s for %s failed", poller.source.source_arn, poller.source.function)
                busy = False
            if not busy:
                self._stopping.wait(poller.idle_seconds)

    def run_until_idle(self, timeout: float = 30.0) -> None:
        """Poll every source in the calling thread until none has anything left: no visible message, no new
        stream record, no failed batch waiting for its retry. Messages a handler made invisible are not
        waited for. Errors of the polling itself are raised; a handler's are the batch's failure."""
        if self._threads:
            raise RuntimeError("run_until_idle polls in the caller's thread: not while start()ed")
        deadline = time.monotonic() + timeout
        while True:
            busy = False
            for poller in self.pollers:
                busy = poller.poll() or busy
            if not busy and not any(poller.waiting_to_retry for poller in self.pollers):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"event sources still busy after {timeout} s")
            if not busy:
                time.sleep(0.01)  # a retry's backoff
