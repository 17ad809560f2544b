"""Fixed-window rate limiting counted atomically in DynamoDB, so a limit holds across Lambda containers."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from fashionos.errors import RateLimited

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class RateLimiter:
    def __init__(self, client: DynamoDBClient, table: str, *, limit: int, window_seconds: int = 60) -> None:
        self._db = client
        self._table = table
        self.limit = limit
        self.window_seconds = window_seconds

    def hit(self, bucket: str, now: float | None = None) -> None:
        """Count one request for ``bucket``; raise ``RateLimited`` when it is over the window's limit."""
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
        if int(attributes["hits"]["N"]) > self.limit:
            raise RateLimited("Too many requests", retry_after=max(1, math.ceil(window_end - now)))
