"""Sustained rates with N concurrent workers: HTTP requests to the dev gateway, or raw boto3 calls.

Every worker gets its share of the requests, opens its connection before the clock starts, and all start
together (a barrier); the rate is successful operations over the wall time from the start to the last one.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

# What a task returns for a request that did not get its answer at all (connection error, timeout).
NO_RESPONSE = 0
# ... and for a 200 whose body is not the documented success.
NOT_SUCCESS = 299


class Task(Protocol):
    """One worker's way of doing one operation: returns an HTTP status, 200 when it succeeded."""

    def __call__(self) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Rate:
    succeeded: int
    seconds: float
    statuses: Counter[int]

    @property
    def per_second(self) -> float:
        return self.succeeded / self.seconds if self.seconds > 0 else 0.0

    @property
    def failed(self) -> int:
        return sum(self.statuses.values()) - self.succeeded


class HttpPost:
    """POSTs one JSON body over a kept-alive HTTP/1.1 connection; reconnects after a failure."""

    def __init__(self, base_url: str, path: str, body: bytes) -> None:
        url = urlsplit(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        self._path, self._body = path, body
        self._headers = {"Content-Type": "application/json"}
        self._connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(self._host, self._port, timeout=30)
        connection.connect()
        return connection

    def __call__(self) -> int:
        try:
            self._connection.request("POST", self._path, body=self._body, headers=self._headers)
            response = self._connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self._connection.close()
            self._connection = self._connect()
            return NO_RESPONSE
        if response.status != 200:
            return response.status
        try:
            succeeded = json.loads(data).get("success") is True
        except ValueError:
            succeeded = False
        return 200 if succeeded else NOT_SUCCESS

    def close(self) -> None:
        self._connection.close()


class BotoCall:
    """One boto3 operation (a closure over a shared, thread-safe client)."""

    def __init__(self, operation: Callable[[], object]) -> None:
        self._operation = operation

    def __call__(self) -> int:
        try:
            self._operation()
        except ClientError as error:
            return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
        except BotoCoreError:
            return NO_RESPONSE
        return 200

    def close(self) -> None:
        pass


def run(make_task: Callable[[], Task], requests: int, workers: int) -> Rate:
    """``requests`` operations spread over ``workers`` threads, each with its own ``make_task()``."""
    shares = [requests // workers + (1 if i < requests % workers else 0) for i in range(workers)]
    statuses: list[Counter[int]] = [Counter() for _ in range(workers)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers + 1, timeout=120)

    def worker(index: int) -> None:
        try:
            task = make_task()
        except BaseException as error:
            errors.append(error)
            barrier.abort()
            return
        try:
            barrier.wait()
            for _ in range(shares[index]):
                statuses[index][task()] += 1
        except threading.BrokenBarrierError:
            pass
        except Exception as error:  # a task lets through only what it cannot count as a status
            errors.append(error)
        finally:
            task.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join(timeout=10)
        raise RuntimeError(f"a worker could not start: {errors[0] if errors else 'timeout'}") from None
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"a worker failed: {errors[0]!r}") from errors[0]
    total: Counter[int] = Counter()
    for counter in statuses:
        total.update(counter)
    return Rate(succeeded=total[200], seconds=seconds, statuses=total)


def describe_failures(rate: Rate) -> str:
    names = {NO_RESPONSE: "no response", NOT_SUCCESS: "200 without success"}
    return ", ".join(
        f"{count} x {names.get(status, str(status))}"
        for status, count in sorted(rate.statuses.items())
        if status != 200
    )
