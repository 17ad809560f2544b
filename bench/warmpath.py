"""Warm path: what our code adds to a request over the AWS calls it makes.

The handlers run in this process, behind the dev gateway's routing (``Gateway.invoke``, no HTTP), against
the same moto server as the stack under test, with the environment the template gives their functions.
Every botocore call is timed (``bench.awscalls``). For each request:

- ours: the wall time of the Lambda handler (what Lambda bills; the dev gateway's event building is not in
  it), and, inside it, the time spent in AWS SDK calls;
- baseline: the exact calls one warm request made (recorded once: operations and parameters), replayed
  back to back through the handler's own boto3 client, right after it.

So "our code" per request is handler time minus its AWS-call time, measured per request; the difference of
the two medians is the cross-check. An HTTP round trip through the dev gateway process is reported too: it
adds the local HTTP server, which API Gateway replaces in production.

A request that changes the data (``measure_changes``: a listing's upsert, an order) cannot be replayed as
recorded once: its conditions (a version read, an id that must be new) would fail the second time. Its
baseline is each request's own recorded calls, replayed on a twin of the data it changes (``bench.commerce``).
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import Any

from bench.awscalls import Call, capture, replay
from bench.devstack import DevStack
from bench.throughput import HttpPost
from devserver.gateway import Gateway
from devserver.lambda_runtime import Handler, InProcessFunctions
from devserver.stack import STACK_NAME
from devserver.template import LocalTemplate, load_template
from fashionos import aws

BUDGET_MS = 1.0  # DESIGN.md: our code adds < 1 ms p50 per request over the AWS calls it makes
WARMUP = 10  # requests before a changing warm path's samples (clients, cached secrets, imports)
SOURCE_IP = "198.51.100.7"  # its own rate-limit bucket, apart from the HTTP load's 127.0.0.1


class TimedGateway(Gateway):
    """The dev gateway, with each handler call timed and its AWS calls captured."""

    def __init__(self, local: LocalTemplate) -> None:
        super().__init__(local, InProcessFunctions(local, check_grants=False))  # our code alone
        self.record = False
        self.handler_seconds = 0.0
        self.calls: list[Call] = []

    def handler(self, function: str) -> Handler:
        real = super().handler(function)

        def timed(event: dict[str, Any], context: Any) -> Any:
            with capture(record=self.record) as calls:
                start = time.perf_counter()
                try:
                    return real(event, context)
                finally:
                    self.handler_seconds = time.perf_counter() - start
                    self.calls = calls

        return timed

    def post(self, path: str, body: bytes, headers: Mapping[str, str] | None = None) -> int:
        sent = {"Content-Type": "application/json", **(headers or {})}
        status, _, _ = self.invoke("POST", path, sent, body, SOURCE_IP)
        return status


@contextmanager
def in_process_gateway(stack: DevStack) -> Iterator[TimedGateway]:
    """A gateway in this process on ``stack``'s moto server and resources; the environment is restored."""
    local = LocalTemplate(load_template(), STACK_NAME)
    # The stack's names, as its outputs give them (the commerce table, not among them, has the name its
    # Ref gives it: the stack's name and its logical id, as the local stack creates it).
    local.physical.update(
        IntegrationTable=stack.outputs["IntegrationTableName"],
        HandshakeSecret=stack.outputs["HandshakeSecretArn"],
        PartnerTable=stack.outputs["PartnerTableName"],
        SigningKeySecret=stack.outputs["SigningKeySecretArn"],
        EventTable=stack.outputs["EventTableName"],
    )
    local.parameters["PartnerIssuer"] = stack.base_url  # as the local stack sets it: its tokens verify here
    environment = {
        "AWS_ENDPOINT_URL": stack.moto_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",  # as in the dev stack: no EMF line per request on stdout
    }
    for function in local.functions().values():
        environment |= function.environment
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        # Imported only now: the logger takes its service name from the environment.
        from fashionos.observability import logger

        # The handlers' output (JSON log lines; an EMF line per 100 metrics, which Powertools prints even
        # when metrics are disabled) goes to a file (on Lambda, stdout is a pipe to CloudWatch): its cost
        # stays in the measurement, its noise leaves the benchmark's output.
        handler = logger.registered_handler
        with (stack.state_dir / "handlers.log").open("a") as log, redirect_stdout(log):
            previous = handler.setStream(log) if isinstance(handler, logging.StreamHandler) else None
            try:
                yield TimedGateway(local)
            finally:
                if previous is not None and isinstance(handler, logging.StreamHandler):
                    handler.setStream(previous)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass(frozen=True, slots=True)
class WarmPath:
    operations: list[str]  # the AWS calls one warm request makes
    handler_p50: float  # seconds
    handler_aws_p50: float  # seconds in AWS calls, inside the handler
    overhead_p50: float  # per request: handler minus its AWS calls
    replay_p50: float  # the same AWS calls, raw
    http_p50: float  # a whole HTTP round trip through the dev gateway process
    samples: int


def record_request(gateway: TimedGateway, path: str, body: bytes, warmup: int) -> list[Call]:
    """Warm the handler (clients, cached secret), then record the AWS calls of one warm request."""
    for _ in range(warmup):
        _expect_ok(gateway.post(path, body))
    gateway.record = True
    try:
        _expect_ok(gateway.post(path, body))
    finally:
        gateway.record = False
    return list(gateway.calls)


def measure(
    gateway: TimedGateway, http: HttpPost, path: str, body: bytes, calls: list[Call], samples: int
) -> WarmPath:
    client = aws.dynamodb()  # the handlers' own client (created lazily, with the environment set above)
    for _ in range(5):
        replay(client, calls)
        _expect_ok(http())
    handler: list[float] = []
    inside: list[float] = []
    overhead: list[float] = []
    replayed: list[float] = []
    round_trips: list[float] = []

    def through_handler() -> None:
        _expect_ok(gateway.post(path, body))
        aws_seconds = sum(call.seconds for call in gateway.calls)
        handler.append(gateway.handler_seconds)
        inside.append(aws_seconds)
        overhead.append(gateway.handler_seconds - aws_seconds)

    def raw() -> None:
        start = time.perf_counter()
        replay(client, calls)
        replayed.append(time.perf_counter() - start)

    def over_http() -> None:
        start = time.perf_counter()
        _expect_ok(http())
        round_trips.append(time.perf_counter() - start)

    # Handler and replay interleaved (h r, r h, h r, ...): drift in moto's speed hits both alike, and each
    # follows the other as often as itself. The HTTP round trips come after, in a loop of their own: a
    # request handled by another process leaves both processes (and the CPUs) in another state, which would
    # slow whatever comes next.
    for sample in range(samples):
        first, second = (through_handler, raw) if sample % 2 == 0 else (raw, through_handler)
        first()
        second()
    for _ in range(samples):
        over_http()
    return WarmPath(
        operations=[call.operation for call in calls],
        handler_p50=statistics.median(handler),
        handler_aws_p50=statistics.median(inside),
        overhead_p50=statistics.median(overhead),
        replay_p50=statistics.median(replayed),
        http_p50=statistics.median(round_trips),
        samples=samples,
    )


@dataclass(frozen=True, slots=True)
class WarmChange:
    """A warm path whose every request changes the data (so replaying one recorded request again would fail
    its conditions)."""

    calls: list[Call]  # the AWS calls of the first measured request, with their parameters
    handler_p50: float  # seconds
    handler_aws_p50: float  # seconds in AWS calls, inside the handler
    overhead_p50: float  # per request: handler minus its AWS calls
    replay_p50: float  # the same AWS calls, raw, on the twin
    samples: int
    shapes: int  # distinct sequences of operations among the measured requests (1: all alike, no retry)


def measure_changes(
    gateway: TimedGateway,
    send: Callable[[], None],
    twin: Callable[[list[Call]], list[Call]],
    samples: int,
    warmup: int = WARMUP,
    tidy: Callable[[list[Call]], None] | None = None,
) -> WarmChange:
    """``send`` makes one request through the handler (a real change each time: a write that writes). The
    baseline is the calls that very request made, recorded, passed through ``twin`` (which points them at a
    twin of the data the handler changes, set up the same way, and gives what the request created new ids)
    and replayed raw through the handler's own client. The twin replays every request in order, so it is
    where the handler's data was before the request: every condition holds and every write writes, as for
    the handler. Replays run one request behind (a replay may come first in a pair) and catch up at the end.
    Recording copies each call's parameters when the handler has returned: no copy is timed. ``tidy``, if
    given, runs untimed after each request and each replay, with its calls (say, to delete what it created,
    so the tables stay the size they were)."""
    client = aws.dynamodb()  # the handlers' own client
    pending: deque[list[Call]] = deque()
    handler: list[float] = []
    inside: list[float] = []
    overhead: list[float] = []
    replayed: list[float] = []
    first: list[Call] = []
    shapes: set[tuple[str, ...]] = set()

    def through_handler(keep: bool = True) -> None:
        send()
        calls = gateway.calls
        pending.append(twin(calls))  # outside both timings
        if tidy is not None:
            tidy(calls)
        if keep:
            aws_seconds = sum(call.seconds for call in calls)
            handler.append(gateway.handler_seconds)
            inside.append(aws_seconds)
            overhead.append(gateway.handler_seconds - aws_seconds)
            shapes.add(tuple(call.operation for call in calls))
            if not first:
                first.extend(calls)

    def raw(keep: bool = True) -> None:
        calls = pending.popleft()
        start = time.perf_counter()
        replay(client, calls)
        if keep:
            replayed.append(time.perf_counter() - start)
        if tidy is not None:
            tidy(calls)

    gateway.record = True
    try:
        for _ in range(warmup):
            through_handler(keep=False)
            raw(keep=False)
        through_handler(keep=False)  # the twin's one request behind
        # Interleaved as in ``measure``: h r, r h, h r, ...
        for sample in range(samples):
            order = (through_handler, raw) if sample % 2 == 0 else (raw, through_handler)
            for step in order:
                step()
        while pending:
            raw(keep=False)
    finally:
        gateway.record = False
    return WarmChange(
        calls=first,
        handler_p50=statistics.median(handler),
        handler_aws_p50=statistics.median(inside),
        overhead_p50=statistics.median(overhead),
        replay_p50=statistics.median(replayed),
        samples=samples,
        shapes=len(shapes),
    )


def _expect_ok(status: int) -> None:
    if status != 200:
        raise RuntimeError(f"a warm-path request got {status}, not 200")
