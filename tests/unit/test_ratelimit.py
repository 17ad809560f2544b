from typing import Any

import pytest

from fashionos.errors import RateLimited
from fashionos.ratelimit import RateLimiter


class CountingTable:
    """A stand-in for DynamoDB's atomic ADD on one item per (bucket, window)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.expiry: dict[str, int] = {}

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        pk = kwargs["Key"]["pk"]["S"]
        self.counts[pk] = self.counts.get(pk, 0) + 1
        self.expiry[pk] = int(kwargs["ExpressionAttributeValues"][":expires"]["N"])
        return {"Attributes": {"hits": {"N": str(self.counts[pk])}}}


def test_the_request_after_the_limit_is_refused_with_the_seconds_to_wait() -> None:
    table = CountingTable()
    limiter = RateLimiter(table, "t", limit=2)  # type: ignore[arg-type]
    limiter.hit("ip:1", now=1_000_020.5)
    limiter.hit("ip:1", now=1_000_021.0)
    with pytest.raises(RateLimited) as refused:
        limiter.hit("ip:1", now=1_000_030.2)
    # the window is [1_000_020, 1_000_080): 49.8 s left, rounded up
    assert refused.value.retry_after == 50


def test_a_new_window_starts_from_zero_and_old_windows_expire() -> None:
    table = CountingTable()
    limiter = RateLimiter(table, "t", limit=1)  # type: ignore[arg-type]
    limiter.hit("ip:1", now=60.0)
    limiter.hit("ip:1", now=120.0)
    assert set(table.counts.values()) == {1}
    assert all(expires > 120 for expires in table.expiry.values())


def test_buckets_are_independent() -> None:
    limiter = RateLimiter(CountingTable(), "t", limit=1)  # type: ignore[arg-type]
    limiter.hit("ip:1", now=0)
    limiter.hit("ip:2", now=0)
