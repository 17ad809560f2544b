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
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Iterator
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

    def post(self, path: str, body: bytes) -> int:
        status, _, _ = self.invoke("POST", path, {"Content-Type": "application/json"}, body, SOURCE_IP)
        return status


@contextmanager
def in_process_gateway(stack: DevStack) -> Iterator[TimedGateway]:
    """A gateway in this process on ``stack``'s moto server and resources; the environment is restored."""
    local = LocalTemplate(load_template(), STACK_NAME)
    local.physical.update(
        IntegrationTable=stack.outputs["IntegrationTableName"],
        HandshakeSecret=stack.outputs["HandshakeSecretArn"],
    )
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


def _expect_ok(status: int) -> None:
    if status != 200:
        raise RuntimeError(f"a warm-path request got {status}, not 200")
