"""Fixed-window rate limiting counted atomically in DynamoDB, so a limit holds across Lambda containers."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fashionos.errors import RateLimited

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True, slots=True)
class RateWindow:
    """One bucket's current window after counting a request."""

    limit: int
    used: int  # requests counted in this window, this one included
    window_seconds: int
    resets_at: int  # epoch second the window ends
    reset_after: int  # seconds until then (at least 1)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


class RateLimiter:
    def __init__(self, client: DynamoDBClient, table: str, *, limit: int, window_seconds: int = 60) -> None:
        self._db = client
        self._table = table
        self.limit = limit
        self.window_seconds = window_seconds

    def count(self, bucket: str, limit: int | None = None, now: float | None = None) -> RateWindow:
        """Count a request for ``bucket`` (one atomic ``ADD``) against ``limit`` (default: ``self.limit``)."""
        now = time.time() if now is None else now
        window_start = int(now // self.window_seconds) * self.window_seconds
        window_end = window_start + self.window_seconds
        attributes = self._db.update_item(
            TableName=self._table,
            Key={"pk": {"S": f"RATE#{bucket}#{window_start}"}, "sk": {"S": "RATE"}},
            UpdateExpression="ADD hits :one SET expires_at = :expires",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(window_end + 60)}},
            ReturnValues="UPDATED_NEW",
        )["Attributes"]
        return RateWindow(
            limit=self.limit if limit is None else limit,
            used=int(attributes["hits"]["N"]),
            window_seconds=self.window_seconds,
            resets_at=window_end,
            reset_after=max(1, math.ceil(window_end - now)),
        )

    def hit(self, bucket: str, now: float | None = None) -> None:
        """Count one request for ``bucket``; raise ``RateLimited`` when it is over the window's limit."""
        window = self.count(bucket, now=now)
        if window.exceeded:
            raise RateLimited("Too many requests", retry_after=window.reset_after)


def window_bucket(item: Mapping[str, Any]) -> str | None:
    """Whose window an item of a table is (the ``bucket`` it counts), else None."""
    pk = str(item["pk"]["S"])
    if not pk.startswith("RATE#") or item["sk"]["S"] != "RATE":
        return None
    return pk.removeprefix("RATE#").rpartition("#")[0]
