"""Webhook deliveries/s: the delivery function against a local receiver vs plain POSTs of the same bodies.

The receiver (``tests.receiver.Receiver``, signature verification off: it is the sender that is measured)
runs in a process of its own, so its work does not compete with the sender for this process's GIL. In this
process, with the environment the template gives ``WebhookDeliveryFunction`` (and
``WEBHOOK_ALLOW_LOOPBACK=true``, as the local stack sets):

- ours on moto: ``deliver.lambda_handler`` on SQS events of 10 records, as Lambda invokes it (Powertools'
  ``AsyncBatchProcessor``, each record in ``asyncio.to_thread``), its stores on the template's tables in
  in-process moto (``mock_aws``), the endpoint created by ``WebhookService.create``. Each delivery makes its
  DynamoDB calls (subscription, delivery status, attempt log, final status) and one signed POST;
- ours, in-memory stores: the same handler and worker, with the three stores replaced by dictionaries in
  this process: no AWS call, so what is left over a raw POST is our code (batch handling, URL check,
  signing, attempt bookkeeping);
- plain: the same bodies (with headers of the same size) POSTed through one ``urllib3.PoolManager`` by a
  ``ThreadPoolExecutor`` of 10 threads, one per record of a batch (the handler runs a batch on its own
  pool of ``deliver.BATCH_SIZE`` threads: ``Deliveries.threads``).

Every delivery is a new event (the worker skips one already delivered). The three sides run in turns
(rounds, rotating which goes first), after a warm-up of each; a side's rate is its 2xx deliveries over its
summed wall time.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import IO, Any
from unittest import mock

import boto3
import urllib3
from moto import mock_aws

from bench import ROOT
from bench.awscalls import capture, instrumented
from devserver.gateway import LambdaContext
from devserver.template import LocalTemplate, create_resources, load_template
from fashionos.events.models import Event
from fashionos.events.store import EventStore
from fashionos.ids import prefixed_id
from fashionos.percontainer import reset_all
from fashionos.times import rfc3339
from fashionos.webhooks.deliveries import Attempt, DeliveryLog, DeliveryStatus
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.queue import DeliveryMessage
from fashionos.webhooks.requests import WebhookCreate
from fashionos.webhooks.sender import TIMEOUT_SECONDS
from fashionos.webhooks.signing import signed_headers
from fashionos.webhooks.store import WebhookStore

FUNCTION = "WebhookDeliveryFunction"
BATCH = 10  # the template's BatchSize for the delivery function's SQS event
WORKERS = 10  # the plain side's threads: one per record of a batch
ROUNDS = 4
WARMUP_BATCHES = 5
ORG_ID = "org_bench"
SEND_TIMEOUT = TIMEOUT_SECONDS  # one delivery attempt, all told
REGION = "us-east-1"
# A receiver in a process of its own: prints its port, serves until its stdin closes, then prints how many
# POSTs it received. Its handler writes each response in one segment, with TCP_NODELAY: as it stands
# (headers and body in two writes, Nagle on), every answer waits for the client's delayed ACK (~40 ms).
_RECEIVER = """
import sys
from tests.receiver import Receiver

as_written = Receiver._handler

def _handler(self):
    class Handler(as_written(self)):
        disable_nagle_algorithm = True
        wbufsize = -1  # buffered; flushed once per request by handle_one_request

    return Handler

Receiver._handler = _handler
receiver = Receiver(secret=None).start()
print(receiver.port, flush=True)
sys.stdin.read()
print(len(receiver.received), flush=True)
"""


@dataclass(frozen=True, slots=True)
class Side:
    delivered: int  # 2xx answers
    failed: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Deliveries:
    on_moto: Side
    in_memory: Side
    plain: Side
    operations: list[str]  # the AWS calls of one delivery (on moto)
    body_bytes: int
    sent: int  # POSTs made, warm-ups included
    received: int  # POSTs the receiver answered
    threads: int  # the threads a batch's records run on (the delivery handler's pool)


class _Webhooks(WebhookStore):
    def __init__(self, webhook: Webhook) -> None:
        self._webhook = webhook
        self.failures = 0

    def get(self, org_id: str, webhook_id: str) -> Webhook | None:
        webhook = self._webhook
        return webhook if (webhook.org_id, webhook.webhook_id) == (org_id, webhook_id) else None

    def record_failure(self, webhook: Webhook, now: int, *, disable_reason: str | None) -> None:
        self.failures += 1

    def record_success(self, webhook: Webhook) -> None:
        pass


class _Log(DeliveryLog):
    def __init__(self) -> None:
        self.recorded: list[tuple[Attempt, int]] = []  # list.append and dict writes are atomic
        self.statuses: dict[tuple[str, str], DeliveryStatus] = {}

    def record(self, attempt: Attempt, expires_at: int) -> None:
        self.recorded.append((attempt, expires_at))

    def status(self, webhook_id: str, event_id: str) -> DeliveryStatus | None:
        return self.statuses.get((webhook_id, event_id))

    def set_status(self, webhook_id: str, event_id: str, status: DeliveryStatus, expires_at: int) -> None:
        self.statuses[webhook_id, event_id] = status


class _Events(EventStore):
    def __init__(self) -> None:
        self.marked: list[tuple[str, str, str, bool]] = []

    def mark_delivery(self, org_id: str, event_id: str, webhook_id: str, *, failed: bool) -> None:
        self.marked.append((org_id, event_id, webhook_id, failed))


@contextmanager
def _receiver() -> Iterator[tuple[str, Callable[[], int]]]:
    """The receiver's URL, and a function that stops it and returns how many POSTs it received."""
    process = subprocess.Popen(
        [sys.executable, "-c", _RECEIVER],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None
    assert stdout is not None
    received: list[int] = []

    def stop() -> int:
        if not received:
            stdin.close()
            received.append(int(stdout.readline() or "-1"))
            process.wait(timeout=30)
        return received[0]

    try:
        port = int(stdout.readline())
        yield f"http://127.0.0.1:{port}/hooks", stop
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@contextmanager
def _lambda_environment(environment: dict[str, str]) -> Iterator[None]:
    """``environment`` (and offline credentials) for the block; then the environment as it was, and no
    cached client or setting made in between."""
    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "POWERTOOLS_METRICS_DISABLED": "true",
            **environment,
        }
    )
    _clear_caches()
    try:
        yield
    finally:
        _clear_caches()
        os.environ.clear()
        os.environ.update(saved)


def _clear_caches() -> None:
    reset_all()


@contextmanager
def _event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The loop a warm Lambda container keeps: Powertools reuses it (and its default executor) when
    ``LAMBDA_TASK_ROOT`` is set."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)


@contextmanager
def _quiet_logger(log: IO[str]) -> Iterator[None]:
    """The handler's log lines (and anything printed) go to ``log``: their cost stays, their noise leaves."""
    from fashionos.observability import logger

    handler = logger.registered_handler
    with redirect_stdout(log):
        previous = handler.setStream(log) if isinstance(handler, logging.StreamHandler) else None
        try:
            yield
        finally:
            if previous is not None and isinstance(handler, logging.StreamHandler):
                handler.setStream(previous)


def _messages(webhook: Webhook, count: int) -> list[DeliveryMessage]:
    """``count`` deliveries of distinct events (a delivered event is not sent twice)."""
    messages = []
    for sequence in range(1, count + 1):
        event_id = prefixed_id("evt")
        data = {
            "id": f"ord_{sequence:08d}",
            "object": "order",
            "status": "created",
            "currency": "EUR",
            "amount": 12900,
            "lines": [{"sku": "SKU-BENCH-1", "quantity": 1, "amount": 12900}],
        }
        payload = Event.envelope(event_id, "order.created", rfc3339(time.time()), sequence, data)
        messages.append(DeliveryMessage(ORG_ID, webhook.webhook_id, event_id, "order.created", payload))
    return messages


def _sqs_event(messages: list[DeliveryMessage], queue_arn: str) -> dict[str, Any]:
    """A batch as Lambda's SQS event source mapping passes it: first receives."""
    now = str(int(time.time() * 1000))
    records = []
    for message in messages:
        body = message.body()
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": f"bench-{uuid.uuid4()}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": now,
                    "SenderId": "AIDABENCH",
                    "ApproximateFirstReceiveTimestamp": now,
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        )
    return {"Records": records}


def _batches(messages: list[DeliveryMessage], queue_arn: str) -> list[dict[str, Any]]:
    return [_sqs_event(messages[i : i + BATCH], queue_arn) for i in range(0, len(messages), BATCH)]


def _run_handler(handler: Callable[[dict[str, Any], Any], Any], events: list[dict[str, Any]]) -> Side:
    context = LambdaContext(FUNCTION, "bench", deadline=time.monotonic() + 3600)
    records = failed = 0
    start = time.perf_counter()
    for event in events:
        result = handler(event, context)
        records += len(event["Records"])
        failed += len(result["batchItemFailures"])
    return Side(records - failed, failed, time.perf_counter() - start)


def _run_plain(
    executor: ThreadPoolExecutor,
    pool: urllib3.PoolManager,
    url: str,
    bodies: list[bytes],
    headers: dict[str, str],
) -> Side:
    def post(body: bytes) -> int:
        response = pool.request("POST", url, body=body, headers=headers, retries=False, redirect=False)
        return response.status

    start = time.perf_counter()
    statuses = list(executor.map(post, bodies))
    seconds = time.perf_counter() - start
    delivered = sum(1 for status in statuses if 200 <= status < 300)
    return Side(delivered, len(statuses) - delivered, seconds)


def _total(sides: list[Side]) -> Side:
    return Side(sum(s.delivered for s in sides), sum(s.failed for s in sides), sum(s.seconds for s in sides))


def measure(deliveries: int, rounds: int = ROUNDS) -> Deliveries:
    """About ``deliveries`` per side (whole batches), in ``rounds`` turns, after a warm-up of each side."""
    batches = max(1, deliveries // rounds // BATCH)  # per side and round
    count = (WARMUP_BATCHES + rounds * batches) * BATCH  # per side
    local = LocalTemplate(load_template(), "bench", {})
    environment = {
        **local.functions()[FUNCTION].environment,
        "WEBHOOK_ALLOW_LOOPBACK": "true",  # what the local stack sets: the receiver is on 127.0.0.1
        # Powertools then keeps one event loop across invocations, as on Lambda.
        "LAMBDA_TASK_ROOT": str(ROOT / "functions" / "partner" / "webhooks"),
    }
    with ExitStack() as stack:
        url, stop_receiver = stack.enter_context(_receiver())
        stack.enter_context(_lambda_environment(environment))
        stack.enter_context(mock_aws())
        stack.enter_context(_event_loop())
        stack.enter_context(_quiet_logger(stack.enter_context(open(os.devnull, "w"))))
        create_resources(local, boto3.Session(region_name=REGION))
        queue_name = local.physical["WebhookDeliveryQueue"].rsplit("/", 1)[-1]
        queue_arn = f"arn:aws:sqs:{REGION}:123456789012:{queue_name}"

        # Imported only now: the handler's logger takes its service name from the environment.
        from fashionos.settings import webhook_settings
        from fashionos.webhooks import container
        from fashionos.webhooks.worker import DeliveryWorker
        from functions.partner.webhooks.deliver import handler as deliver

        webhook = container.webhook_service().create(ORG_ID, WebhookCreate(url=url, events=["order.created"]))
        in_memory = DeliveryWorker(
            _Webhooks(webhook),
            _Log(),
            _Events(),
            schedule=webhook_settings().retry_schedule,
            allow_loopback=True,
        )
        # One delivery on this thread, its AWS calls counted.
        with instrumented(), capture() as calls:
            container.delivery_worker().deliver(_messages(webhook, 1)[0], 1)
        operations = [call.operation for call in calls]

        moto_batches = _batches(_messages(webhook, count), queue_arn)
        memory_batches = _batches(_messages(webhook, count), queue_arn)
        bodies = [message.payload.encode() for message in _messages(webhook, count)]
        # Headers of the size ours sends (signed once: the receiver does not verify).
        headers = {
            **signed_headers([webhook.secret], prefixed_id("evt"), int(time.time()), bodies[0]),
            "User-Agent": "FashionOS-Webhooks/1",
        }
        pool = urllib3.PoolManager(maxsize=WORKERS)
        executor = stack.enter_context(ThreadPoolExecutor(WORKERS))

        def on_moto(first: int, count: int) -> Side:
            return _run_handler(deliver.lambda_handler, moto_batches[first : first + count])

        def in_memory_worker() -> DeliveryWorker:
            return in_memory

        def on_memory(first: int, count: int) -> Side:
            with mock.patch.object(deliver, "delivery_worker", in_memory_worker):
                return _run_handler(deliver.lambda_handler, memory_batches[first : first + count])

        def plain(first: int, count: int) -> Side:
            return _run_plain(executor, pool, url, bodies[first * BATCH : (first + count) * BATCH], headers)

        sides: list[Callable[[int, int], Side]] = [on_moto, on_memory, plain]
        warmed = [side(0, WARMUP_BATCHES) for side in sides]
        gc.collect()  # the set-up's garbage is nobody's cost
        results: list[list[Side]] = [[] for _ in sides]
        for round_ in range(rounds):
            first = WARMUP_BATCHES + round_ * batches
            for turn in range(len(sides)):
                index = (turn + round_) % len(sides)  # each side goes first in turn
                results[index].append(sides[index](first, batches))
        threads = _handler_threads()
        pool.clear()
        received = stop_receiver()
    on_moto_, in_memory_, plain_ = (_total(side) for side in results)
    return Deliveries(
        on_moto=on_moto_,
        in_memory=in_memory_,
        plain=plain_,
        operations=operations,
        body_bytes=len(bodies[0]),
        sent=1 + sum(s.delivered + s.failed for s in [*warmed, on_moto_, in_memory_, plain_]),
        received=received,
        threads=threads,
    )


def _handler_threads() -> int:
    """How many threads the delivery handler runs a batch's records on (its own pool)."""
    from functions.partner.webhooks.deliver import handler as deliver

    workers = getattr(deliver.threads, "_max_workers", None)
    return workers if isinstance(workers, int) else 0
