"""DynamoDB access for events (the outbox table): the only module of this feature that talks to boto3.

Items, under their org: ``ORG#{org_id}`` / ``EVT#{event_id}`` (``kind`` = ``event``: the stream's fan-out
takes only these) with the envelope as sent (``payload``), its type, sequence and ``expires_at`` (TTL, 30
days); ``ORG#{org_id}`` / ``SEQ#{object id}`` holds the last sequence number of the events about an object.
Event ids are ULIDs, so an org's events sort by time and a time range is a key range. An event about another
org's object (``design.published`` to a partner holding a grant) is in the partner's partition.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fashionos.aws import condition_failed, query_items, query_page
from fashionos.events.models import Event
from fashionos.idempotency import transact_with_claim

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

Item = dict[str, Any]
EVENT_KIND = "event"


def event_key(org_id: str, event_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"EVT#{event_id}"}}


def sequence_key(org_id: str, object_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"SEQ#{object_id}"}}


def event_item(event: Event, expires_at: int) -> Item:
    item: Item = {
        **event_key(event.org_id, event.event_id),
        "kind": {"S": EVENT_KIND},
        "type": {"S": event.type},
        "created_at": {"S": event.created_at},
        "sequence": {"N": str(event.sequence)},
        "payload": {"S": event.payload},
        "expires_at": {"N": str(expires_at)},
    }
    if event.target_webhook_id:
        item["target_webhook_id"] = {"S": event.target_webhook_id}
    return item


def event_from_item(item: Item) -> Event:
    """An event item as the table or its stream (``NewImage``) holds it."""
    return Event(
        event_id=item["sk"]["S"].removeprefix("EVT#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        type=item["type"]["S"],
        created_at=item["created_at"]["S"],
        sequence=int(item["sequence"]["N"]),
        payload=item["payload"]["S"],
        target_webhook_id=item["target_webhook_id"]["S"] if "target_webhook_id" in item else None,
        failed_webhooks=frozenset(item["failed_webhooks"]["SS"])
        if "failed_webhooks" in item
        else frozenset(),
    )


class EventStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self.table = table

    def get(self, org_id: str, event_id: str, now: float) -> Event | None:
        """The event, unless it has expired (TTL deletes lag by up to days; an expired event is gone)."""
        item = self._db.get_item(TableName=self.table, Key=event_key(org_id, event_id), ConsistentRead=True)
        if "Item" not in item or int(item["Item"]["expires_at"]["N"]) <= now:
            return None
        return event_from_item(item["Item"])

    def page(
        self,
        org_id: str,
        *,
        first: str,
        last: str,
        limit: int,
        cursor: str | None,
        types: frozenset[str] | None,
        failed: bool | None,
        now: float,
    ) -> tuple[list[Event], bool]:
        """Up to ``limit`` events with ids in ``[first, last]`` and older than ``cursor`` (an event id),
        newest first, of ``types`` (all if None), failed (for some endpoint) or not (either if None); and
        whether there are more."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "FilterExpression": "expires_at > :now",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"ORG#{org_id}"},
                ":first": {"S": f"EVT#{first}"},
                ":last": {"S": f"EVT#{last}"},
                ":now": {"N": str(int(now))},
            },
            "ScanIndexForward": False,
        }
        if cursor is not None and cursor <= first:
            return [], False  # the previous page ended at the window's start
        if cursor is not None and cursor <= last:  # DynamoDB refuses a start key outside the key range
            query["ExclusiveStartKey"] = event_key(org_id, cursor)
        values = dict(query["ExpressionAttributeValues"])
        if types is not None:
            names = [f":t{i}" for i in range(len(types))]
            values.update({name: {"S": type_} for name, type_ in zip(names, sorted(types), strict=True)})
            query["FilterExpression"] += f" AND #type IN ({', '.join(names)})"
            query["ExpressionAttributeNames"] = {"#type": "type"}
        query["ExpressionAttributeValues"] = values
        if failed is not None:
            query["FilterExpression"] += (
                " AND attribute_exists(failed_webhooks)"
                if failed
                else " AND attribute_not_exists(failed_webhooks)"
            )
        return query_page(self._db, query, limit, event_from_item)

    def mark_delivery(self, org_id: str, event_id: str, webhook_id: str, *, failed: bool) -> None:
        """Record that the event failed to reach the endpoint for good, or (after a replay) reached it."""
        try:
            self._db.update_item(
                TableName=self.table,
                Key=event_key(org_id, event_id),
                UpdateExpression=("ADD" if failed else "DELETE") + " failed_webhooks :webhook",
                ConditionExpression="attribute_exists(pk)",  # never re-create an expired event
                ExpressionAttributeValues={":webhook": {"SS": [webhook_id]}},
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def org_events(self, org_id: str, now: float, types: Collection[str] = ()) -> Iterator[Event]:
        """The org's events (of ``types``, when given) that have not expired, oldest first."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "FilterExpression": "expires_at > :now",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"ORG#{org_id}"},
                ":prefix": {"S": "EVT#"},
                ":now": {"N": str(int(now))},
            },
            "ConsistentRead": True,
        }
        if types:
            names = [f":t{i}" for i in range(len(types))]
            query["FilterExpression"] += f" AND #type IN ({', '.join(names)})"
            query["ExpressionAttributeNames"] = {"#type": "type"}
            for name, type_ in zip(names, sorted(types), strict=True):
                query["ExpressionAttributeValues"][name] = {"S": type_}  # type: ignore[index]
        return (event_from_item(item) for item in query_items(self._db, query))

    def replace_payload(self, event: Event, payload: str) -> bool:
        """The event with another envelope (a replay sends it: an erased shopper is gone from it too),
        unless it changed or expired meanwhile (False)."""
        try:
            self._db.update_item(
                TableName=self.table,
                Key=event_key(event.org_id, event.event_id),
                UpdateExpression="SET payload = :new",
                ConditionExpression="payload = :read",
                ExpressionAttributeValues={":new": {"S": payload}, ":read": {"S": event.payload}},
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    @staticmethod
    def belongs(item: Item, org_id: str, object_ids: Collection[str]) -> bool:
        """Whether an item is the org's to erase: its events and sequences (its partition), and in other
        orgs' partitions the events about its designs (``design.published`` to a partner) and their
        sequences."""
        if item["pk"]["S"] == f"ORG#{org_id}" or item["sk"]["S"].removeprefix("SEQ#") in object_ids:
            return True
        if item.get("type") != {"S": "design.published"}:
            return False
        data = json.loads(item["payload"]["S"])["data"]
        return isinstance(data, dict) and data.get("org_id") == org_id

    def sequence(self, org_id: str, object_id: str) -> int:
        item = self._db.get_item(
            TableName=self.table, Key=sequence_key(org_id, object_id), ConsistentRead=True
        )
        return int(item["Item"]["seq"]["N"]) if "Item" in item else 0

    def transact(
        self, items: list[TransactWriteItemTypeDef], claim: TransactWriteItemTypeDef | None = None
    ) -> None:
        """``items`` (and an idempotency claim) in one transaction: see ``transact_with_claim``."""
        transact_with_claim(self._db, items, claim)
