"""The delivery log: every attempt to send an event to an endpoint, and where each (event, endpoint)
delivery ended. DynamoDB, in the partner table, kept 30 days (TTL) like the events:

- ``WHLOG#{webhook_id}`` / ``ATTEMPT#{attempt_id}``: one attempt (ULID ids: newest first is a reverse Query);
- ``WHLOG#{webhook_id}`` / ``DELIVERY#{event_id}``: ``succeeded`` or ``failed`` once a delivery has ended
  (event ids are ULIDs: "failed deliveries of events created between" is a key range).

Callers check that the webhook is the caller's before reading its log.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from fashionos.aws import query_all, query_items, query_page
from fashionos.events.views import AnyEventType
from fashionos.webhooks import views
from fashionos.webhooks.views import Outcome as Outcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef

DeliveryStatus = Literal["succeeded", "failed"]
RESPONSE_EXCERPT_BYTES = 1024
_ATTEMPT, _DELIVERY = "ATTEMPT#", "DELIVERY#"


@dataclass(frozen=True, slots=True)
class Attempt:
    attempt_id: str  # atm_<ULID>
    webhook_id: str
    event_id: str
    event_type: str  # one of AnyEventType (the event's)
    attempt: int  # 1 for the first attempt of a delivery (or of a replay), then 2, 3, ...
    attempted_at: str
    duration_ms: int
    status_code: int | None  # None: no HTTP response (refused address, connection error, timeout)
    response: str  # the first KB of the response body
    error: str | None
    outcome: Outcome
    next_attempt_at: str | None  # when ``retrying``

    def public(self) -> views.Attempt:
        return {
            "id": self.attempt_id,
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "event_type": cast(AnyEventType, self.event_type),
            "attempt": self.attempt,
            "attempted_at": self.attempted_at,
            "duration_ms": self.duration_ms,
            "status_code": self.status_code,
            "response": self.response,
            "error": self.error,
            "outcome": self.outcome,
            "next_attempt_at": self.next_attempt_at,
        }


def _pk(webhook_id: str) -> dict[str, Any]:
    return {"S": f"WHLOG#{webhook_id}"}


class DeliveryLog:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self._table = table

    def record(self, attempt: Attempt, expires_at: int) -> None:
        item: dict[str, Any] = {
            "pk": _pk(attempt.webhook_id),
            "sk": {"S": _ATTEMPT + attempt.attempt_id},
            "event_id": {"S": attempt.event_id},
            "event_type": {"S": attempt.event_type},
            "attempt": {"N": str(attempt.attempt)},
            "attempted_at": {"S": attempt.attempted_at},
            "duration_ms": {"N": str(attempt.duration_ms)},
            "response": {"S": attempt.response},
            "outcome": {"S": attempt.outcome},
            "expires_at": {"N": str(expires_at)},
        }
        if attempt.status_code is not None:
            item["status_code"] = {"N": str(attempt.status_code)}
        if attempt.error is not None:
            item["error"] = {"S": attempt.error}
        if attempt.next_attempt_at is not None:
            item["next_attempt_at"] = {"S": attempt.next_attempt_at}
        self._db.put_item(TableName=self._table, Item=item)

    def attempts(
        self, webhook_id: str, limit: int, before: str | None, now: float
    ) -> tuple[list[Attempt], bool]:
        """Up to ``limit`` attempts older than the one ``before`` names (newest first); and whether there
        are more."""
        query = self._attempts_query(webhook_id, now)
        query["ScanIndexForward"] = False
        if before is not None:
            query["ExclusiveStartKey"] = {"pk": _pk(webhook_id), "sk": {"S": _ATTEMPT + before}}
        return query_page(self._db, query, limit, lambda item: _attempt(webhook_id, item))

    def every_attempt(self, webhook_id: str, now: float) -> Iterator[Attempt]:
        """Every attempt of the endpoint's log that has not expired, oldest first (its org's export)."""
        return (
            _attempt(webhook_id, item)
            for item in query_items(self._db, self._attempts_query(webhook_id, now))
        )

    def _attempts_query(self, webhook_id: str, now: float) -> QueryInputTypeDef:
        """The endpoint's attempts that have not expired (a TTL deletes late), oldest first."""
        return {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "FilterExpression": "expires_at > :now",
            "ExpressionAttributeValues": {
                ":pk": _pk(webhook_id),
                ":prefix": {"S": _ATTEMPT},
                ":now": {"N": str(int(now))},
            },
        }

    @staticmethod
    def belongs(item: dict[str, Any], webhook_ids: Collection[str], event_ids: Collection[str]) -> bool:
        """Whether an item is of the log of one of ``webhook_ids``, or of the delivery of one of
        ``event_ids`` (an org's events: the log of an endpoint it deleted is found by them)."""
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if not pk.startswith("WHLOG#"):
            return False
        event_id = item["event_id"]["S"] if "event_id" in item else sk.removeprefix(_DELIVERY)
        return pk.removeprefix("WHLOG#") in webhook_ids or event_id in event_ids

    def status(self, webhook_id: str, event_id: str) -> DeliveryStatus | None:
        item = self._db.get_item(
            TableName=self._table,
            Key={"pk": _pk(webhook_id), "sk": {"S": _DELIVERY + event_id}},
            ConsistentRead=True,
        )
        return cast(DeliveryStatus, item["Item"]["status"]["S"]) if "Item" in item else None

    def set_status(self, webhook_id: str, event_id: str, status: DeliveryStatus, expires_at: int) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                "pk": _pk(webhook_id),
                "sk": {"S": _DELIVERY + event_id},
                "status": {"S": status},
                "expires_at": {"N": str(expires_at)},
            },
        )

    def failed(self, webhook_id: str, first_event: str, last_event: str) -> list[str]:
        """Ids of the events in ``[first_event, last_event]`` whose delivery to the webhook failed."""
        query: QueryInputTypeDef = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "FilterExpression": "#status = :failed",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":pk": _pk(webhook_id),
                ":first": {"S": _DELIVERY + first_event},
                ":last": {"S": _DELIVERY + last_event},
                ":failed": {"S": "failed"},
            },
        }
        return query_all(self._db, query, lambda item: str(item["sk"]["S"]).removeprefix(_DELIVERY))


def _attempt(webhook_id: str, item: dict[str, Any]) -> Attempt:
    return Attempt(
        attempt_id=item["sk"]["S"].removeprefix(_ATTEMPT),
        webhook_id=webhook_id,
        event_id=item["event_id"]["S"],
        event_type=item["event_type"]["S"],
        attempt=int(item["attempt"]["N"]),
        attempted_at=item["attempted_at"]["S"],
        duration_ms=int(item["duration_ms"]["N"]),
        status_code=int(item["status_code"]["N"]) if "status_code" in item else None,
        response=item["response"]["S"],
        error=item["error"]["S"] if "error" in item else None,
        outcome=cast(Outcome, item["outcome"]["S"]),
        next_attempt_at=item["next_attempt_at"]["S"] if "next_attempt_at" in item else None,
    )
