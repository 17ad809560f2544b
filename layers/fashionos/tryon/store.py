"""DynamoDB access for try-on sessions: the only module of this area that talks to boto3.

One table (``TryOnTable``), keyed by owner, so every read names the caller's org (another org's id is
simply not found): ``ORG#{org}`` / ``TOS#{tos}``, a session. Session ids are ULIDs, so a time range of
sessions is a key range. ``expires_at`` (TTL) removes a session 90 days after its 15 minutes end.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from fashionos.aws import condition_failed, query_items, query_page
from fashionos.aws import number as _n
from fashionos.aws import string as _s
from fashionos.tryon.records import Session, StoredStatus, TryOnType

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, TransactWriteItemTypeDef

Item = dict[str, Any]
KEPT_SECONDS = 90 * 24 * 3600  # after a session's end: its record for reports, then TTL
_OPTIONAL = ("variant_sku", "return_url", "locale", "ended_at")


def session_key(org_id: str, session_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"TOS#{session_id}")}


def _session_item(session: Session) -> Item:
    item = {
        **session_key(session.org_id, session.session_id),
        "type": _s(session.type),
        "product_id": _s(session.product_id),
        "storefront_id": _s(session.storefront_id),
        "status": _s(session.status),
        "actor": _s(session.actor),
        "created_at": _s(session.created_at),
        "session_expires_at": _s(session.expires_at),
        "session_expires_epoch": _n(session.expires_epoch),
        "expires_at": _n(session.expires_epoch + KEPT_SECONDS),
    }
    for name in _OPTIONAL:
        value = getattr(session, name)
        if value is not None:
            item[name] = _s(value)
    if session.duration_ms is not None:
        item["duration_ms"] = _n(session.duration_ms)
    return item


def _session(item: Item) -> Session:
    optional = {name: item[name]["S"] for name in _OPTIONAL if name in item}
    return Session(
        session_id=item["sk"]["S"].removeprefix("TOS#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        type=cast(TryOnType, item["type"]["S"]),
        product_id=item["product_id"]["S"],
        storefront_id=item["storefront_id"]["S"],
        variant_sku=optional.get("variant_sku"),
        status=cast(StoredStatus, item["status"]["S"]),
        return_url=optional.get("return_url"),
        locale=optional.get("locale"),
        actor=item["actor"]["S"],
        created_at=item["created_at"]["S"],
        expires_at=item["session_expires_at"]["S"],
        expires_epoch=int(item["session_expires_epoch"]["N"]),
        ended_at=optional.get("ended_at"),
        duration_ms=int(item["duration_ms"]["N"]) if "duration_ms" in item else None,
    )


class TryOnStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self.table = table

    def session(self, org_id: str, session_id: str) -> Session | None:
        item = self._db.get_item(
            TableName=self.table, Key=session_key(org_id, session_id), ConsistentRead=True
        ).get("Item")
        return _session(item) if item else None

    def org_sessions(self, org_id: str) -> Iterator[Session]:
        """Every session of the org (its export and its erasure), oldest first."""
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _s(f"ORG#{org_id}"), ":prefix": _s("TOS#")},
            "ConsistentRead": True,
        }
        return (_session(item) for item in query_items(self._db, query))

    def put_session(self, session: Session) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _session_item(session),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def end(
        self, session: Session, status: StoredStatus, ended_at: str, now: float, duration_ms: int | None
    ) -> bool:
        """``active`` -> ``status``, once, while the session is live; False if it no longer was."""
        values: Item = {
            ":to": _s(status),
            ":ended": _s(ended_at),
            ":active": _s("active"),
            ":now": _n(math.floor(now)),
        }
        expression = "SET #status = :to, ended_at = :ended"
        if duration_ms is not None:
            expression += ", duration_ms = :duration"
            values[":duration"] = _n(duration_ms)
        try:
            self._db.update_item(
                TableName=self.table,
                Key=session_key(session.org_id, session.session_id),
                UpdateExpression=expression,
                ConditionExpression="#status = :active AND session_expires_epoch > :now",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def page(
        self,
        org_id: str,
        window: tuple[str, str],
        filters: Mapping[str, str],
        limit: int,
        after: str | None,
        now: float,
    ) -> tuple[list[Session], bool]:
        """The org's sessions with ids in ``window`` (newest first) matching ``filters`` (``product_id``,
        ``status``: ``expired`` and ``active`` are told apart by the session's expiry)."""
        first, last = window
        if after is not None and after < first:
            return [], False  # newest first: the page after ``after`` holds older ids only
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": _s(f"ORG#{org_id}"),
                ":first": _s(f"TOS#{first}"),
                ":last": _s(f"TOS#{last}"),
            },
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        if after is not None and after <= last:
            query["ExclusiveStartKey"] = session_key(org_id, after)
        conditions, names, values = [], {}, query["ExpressionAttributeValues"]
        if "product_id" in filters:
            conditions.append("product_id = :product")
            values[":product"] = _s(filters["product_id"])  # type: ignore[index]
        status = filters.get("status")
        if status is not None:
            names["#status"] = "status"
            stored = "active" if status == "expired" else status
            conditions.append("#status = :status")
            values[":status"] = _s(stored)  # type: ignore[index]
            if status in ("active", "expired"):
                conditions.append(f"session_expires_epoch {'>' if status == 'active' else '<='} :now")
                values[":now"] = _n(math.floor(now))  # type: ignore[index]
        if conditions:
            query["FilterExpression"] = " AND ".join(conditions)
            if names:
                query["ExpressionAttributeNames"] = names
        else:
            query["Limit"] = limit + 1
        return query_page(self._db, query, limit, _session)
