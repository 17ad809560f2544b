"""Retrying a write that lost a race to a concurrent one, within the time the invocation has left: the one
retry loop of every compare-and-set (``for _ in retry.attempts(MAX_WRITE_ATTEMPTS): read, change, commit``).

An entrypoint runs each invocation within ``deadline(context)`` (Lambda's context: its remaining time).
``attempts`` yields attempt numbers, sleeping a growing, fully jittered pause before each retry (concurrent
writers spread out), and stops early when the next attempt would start with less than ``RESERVE_SECONDS``
left: the caller then answers 409 ``contended`` (retry after ``Retry-After``), never a Lambda timeout (502).
Outside an invocation (tests, the admin CLI) only the attempt limit bounds it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import monotonic, sleep
from typing import Protocol

RESERVE_SECONDS = 2.0  # what the last attempt and the answer may take before the function's timeout
BACKOFF_SECONDS = 0.005  # the pause before the second attempt is up to twice this; then doubling
MAX_PAUSE_SECONDS = 0.32

# monotonic() by which the invocation under way must have answered (per thread: in-process tests run
# several invocations at once)
_deadline: ContextVar[float] = ContextVar("deadline", default=math.inf)


class HasRemainingTime(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


@contextmanager
def deadline(context: HasRemainingTime) -> Iterator[None]:
    """Within the block, retries stop in time to answer within ``context``'s remaining time."""
    token = _deadline.set(monotonic() + context.get_remaining_time_in_millis() / 1000)
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left() -> float:
    return _deadline.get() - monotonic()


def attempts(
    limit: int, backoff: float = BACKOFF_SECONDS, max_pause: float = MAX_PAUSE_SECONDS
) -> Iterator[int]:
    """0, 1, ... up to ``limit`` attempts, with a random pause before each retry of up to ``backoff`` ·
    2^attempt (at most ``max_pause``), as long as the invocation has time for one more."""
    for attempt in range(limit):
        if attempt:
            pause = random.uniform(0, min(backoff * 2**attempt, max_pause))  # noqa: S311 (not a secret)
            if seconds_left() - pause < RESERVE_SECONDS:
                return
            sleep(pause)
        yield attempt
