"""DynamoDB access for exports: the only module of this area that talks to DynamoDB.

In the partner table:

- ``ORG#{org}`` / ``EXPORT#{exp}``: an export (``expires_at``, the TTL: a week after it was asked for);
- ``ORG#{org}`` / ``EXPORTING``: the org's one export still running (``export_id``; ``expires_at``: when it
  stops counting as running, should its function never finish it).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, cast

from fashionos.aws import number as _n
from fashionos.aws import string as _s
from fashionos.exports.errors import ExportInProgress
from fashionos.exports.records import RUNNING_SECONDS, Export, ExportStatus
from fashionos.idempotency import ConditionFailed, transact_with_claim

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Item = dict[str, Any]
_OPTIONAL = ("completed_at", "sha256", "object_version", "failure")


def export_key(org_id: str, export_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"EXPORT#{export_id}")}


def _running_key(org_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s("EXPORTING")}


def _item(export: Export) -> Item:
    item: Item = {
        **export_key(export.org_id, export.export_id),
        "status": _s(export.status),
        "requested_by": _s(export.requested_by),
        "created_at": _s(export.created_at),
        "expires_at": _n(export.expires_epoch),
        "contents": _s(json.dumps(export.contents, sort_keys=True)),
    }
    if export.size is not None:
        item["size"] = _n(export.size)
    for name in _OPTIONAL:
        value = getattr(export, name)
        if value is not None:
            item[name] = _s(value)
    return item


def _export(item: Item) -> Export:
    return Export(
        export_id=item["sk"]["S"].removeprefix("EXPORT#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        status=cast(ExportStatus, item["status"]["S"]),
        requested_by=item["requested_by"]["S"],
        created_at=item["created_at"]["S"],
        expires_epoch=int(item["expires_at"]["N"]),
        size=int(item["size"]["N"]) if "size" in item else None,
        contents=json.loads(item["contents"]["S"]),
        **{name: item[name]["S"] for name in _OPTIONAL if name in item},
    )


class ExportStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self._table = table

    def create(self, export: Export, claim: TransactWriteItemTypeDef | None = None) -> None:
        """The export, and the org's running export (``ExportInProgress`` while another one holds it)."""
        now = int(time.time())
        running: Item = {
            **_running_key(export.org_id),
            "export_id": _s(export.export_id),
            "expires_at": _n(now + RUNNING_SECONDS),
        }
        items: list[TransactWriteItemTypeDef] = [
            {"Put": {"TableName": self._table, "Item": _item(export)}},
            {
                "Put": {
                    "TableName": self._table,
                    "Item": running,
                    "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                    "ExpressionAttributeValues": {":now": _n(now)},
                }
            },
        ]
        try:
            transact_with_claim(self._db, items, claim)
        except ConditionFailed:
            raise ExportInProgress(self._running(export.org_id)) from None

    def _running(self, org_id: str) -> str | None:
        item = self._db.get_item(TableName=self._table, Key=_running_key(org_id), ConsistentRead=True)
        return item["Item"]["export_id"]["S"] if "Item" in item else None

    def get(self, org_id: str, export_id: str) -> Export | None:
        item = self._db.get_item(
            TableName=self._table, Key=export_key(org_id, export_id), ConsistentRead=True
        )
        return _export(item["Item"]) if "Item" in item else None

    def save(self, export: Export) -> None:
        """The export as it is now; once it is finished, the org may start another."""
        items: list[TransactWriteItemTypeDef] = [{"Put": {"TableName": self._table, "Item": _item(export)}}]
        if export.finished:
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": _running_key(export.org_id),
                        "ConditionExpression": "attribute_not_exists(pk) OR export_id = :export",
                        "ExpressionAttributeValues": {":export": _s(export.export_id)},
                    }
                }
            )
        try:
            transact_with_claim(self._db, items, None)
        except ConditionFailed:  # another export holds it now (this one outlived RUNNING_SECONDS)
            self._db.put_item(TableName=self._table, Item=_item(export))
