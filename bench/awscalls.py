"""Timing (and recording) every botocore API call a thread makes, so a handler's own time can be told apart
from the time it spends in the AWS calls it makes — and those calls replayed raw as a baseline."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.client import BaseClient


@dataclass(frozen=True, slots=True)
class Call:
    operation: str  # "UpdateItem"
    params: dict[str, Any]  # as the caller passed them (only when recording)
    seconds: float  # wall time of the whole SDK call: serialise, sign, HTTP, parse


class _ThreadState(threading.local):
    calls: list[Call] | None = None
    record: bool = False


_state = _ThreadState()


@contextmanager
def instrumented() -> Iterator[None]:
    """Route every client's API calls through a timer (a no-op on threads not inside ``capture``)."""
    original: Callable[[BaseClient, str, dict[str, Any]], Any] = BaseClient._make_api_call  # type: ignore[attr-defined]

    def timed(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls = _state.calls
        if calls is None:
            return original(self, operation_name, api_params)
        params = copy.deepcopy(api_params) if _state.record else {}
        start = time.perf_counter()
        try:
            return original(self, operation_name, api_params)
        finally:
            seconds = time.perf_counter() - start
            calls.append(Call(operation_name, params, seconds))

    BaseClient._make_api_call = timed  # type: ignore[attr-defined]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined]


@contextmanager
def capture(*, record: bool = False) -> Iterator[list[Call]]:
    """The API calls this thread makes inside the block (with their parameters when ``record``)."""
    calls: list[Call] = []
    _state.calls, _state.record = calls, record
    try:
        yield calls
    finally:
        _state.calls, _state.record = None, False


def replay(client: Any, calls: Sequence[Call]) -> None:
    """Make ``calls`` again, in order, straight through ``client`` (a boto3 client)."""
    for call in calls:
        getattr(client, xform_name(call.operation))(**call.params)
