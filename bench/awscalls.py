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
    params: dict[str, Any]  # as the caller passed them (only when recording; copied once the capture ends)
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
        # Recording keeps the caller's own dict: ``capture`` copies it when the block ends, so the copy is
        # in no timing (a handler's time included).
        params = api_params if _state.record else {}
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
    """The API calls this thread makes inside the block (with their parameters when ``record``, deep-copied
    into the list, in place, when the block ends)."""
    calls: list[Call] = []
    _state.calls, _state.record = calls, record
    try:
        yield calls
    finally:
        _state.calls, _state.record = None, False
        if record:
            calls[:] = [Call(c.operation, copy.deepcopy(c.params), c.seconds) for c in calls]


def remapped(calls: Sequence[Call], change: Callable[[str], str]) -> list[Call]:
    """``calls`` with every string value in their parameters (at any depth) passed through ``change``."""

    def mapped(value: Any) -> Any:
        if isinstance(value, str):
            return change(value)
        if isinstance(value, dict):
            return {key: mapped(item) for key, item in value.items()}
        if isinstance(value, list):
            return [mapped(item) for item in value]
        return value

    return [Call(call.operation, mapped(call.params), call.seconds) for call in calls]


def replay(client: Any, calls: Sequence[Call]) -> None:
    """Make ``calls`` again, in order, straight through ``client`` (a boto3 client)."""
    for call in calls:
        getattr(client, xform_name(call.operation))(**call.params)
