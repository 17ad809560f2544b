"""DynamoDB access for usage metering: the only module of this feature that talks to boto3.

Items of the one table (``pk``/``sk``):
- ``USER#{user_id}`` / ``PROFILE``: plan, product_count, created_at
- ``USER#{user_id}`` / ``USAGE#{yyyy-mm}``: ``ar_tryons``, ``ai_tryons``, ``api_calls`` and, per API key,
  ``key_{key_id}_{counter}``; lifetime totals are the sum of a user's periods (derived, never stored twice)
- ``APIKEY#{key_id}`` / ``APIKEY``: owner, SHA-256 of the key, active
- ``PLAN#{name}`` / ``PLAN``: per-period limits
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fashionos.aws import condition_failed
from fashionos.errors import AlreadyExists, ApiKeyNotFound, UserNotFound
from fashionos.idempotency import ConditionFailed, IdempotencyClaim
from fashionos.times import rfc3339_now
from fashionos.usage.models import ApiKey, Plan, PlanLimits, User

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, UpdateTypeDef

Item = dict[str, Any]


def _user_key(user_id: str, sk: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": sk}}


def _numbers(item: Item) -> dict[str, int]:
    return {name: int(value["N"]) for name, value in item.items() if "N" in value}


def _int(item: Item, name: str) -> int | None:
    return int(item[name]["N"]) if name in item else None


class UsageStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self._table = table

    # --- reads -------------------------------------------------------------------------------------
    def _get(self, key: dict[str, AttributeValueTypeDef], *, consistent: bool = False) -> Item | None:
        return self._db.get_item(TableName=self._table, Key=key, ConsistentRead=consistent).get("Item")

    def get_user(self, user_id: str) -> User | None:
        item = self._get(_user_key(user_id, "PROFILE"))
        if item is None:
            return None
        return User(
            user_id=user_id,
            plan=item["plan"]["S"],
            created_at=item["created_at"]["S"],
            product_count=_int(item, "product_count"),
        )

    def get_plan(self, name: str) -> Plan | None:
        item = self._get({"pk": {"S": f"PLAN#{name}"}, "sk": {"S": "PLAN"}})
        if item is None:
            return None
        limits = PlanLimits(**{f.name: _int(item, f.name) for f in fields(PlanLimits)})
        return Plan(name=name, limits=limits)

    def get_api_key(self, key_id: str) -> ApiKey | None:
        item = self._get({"pk": {"S": f"APIKEY#{key_id}"}, "sk": {"S": "APIKEY"}})
        if item is None:
            return None
        return ApiKey(
            key_id=key_id,
            user_id=item["user_id"]["S"],
            key_hash=item["key_hash"]["S"],
            active=item["active"]["BOOL"],
            created_at=item["created_at"]["S"],
        )

    def get_period_counters(self, user_id: str, period: str) -> dict[str, int]:
        return _numbers(self._get(_user_key(user_id, f"USAGE#{period}"), consistent=True) or {})

    def list_period_counters(self, user_id: str) -> dict[str, dict[str, int]]:
        """Every period of a user, ``{"2026-11": {counter: value}}``."""
        periods: dict[str, dict[str, int]] = {}
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :usage)",
            ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":usage": {"S": "USAGE#"}},
        )
        for page in pages:
            for item in page.get("Items", []):
                period = item["sk"]["S"].removeprefix("USAGE#")
                periods[period] = _numbers(item)
        return periods

    # --- counters ----------------------------------------------------------------------------------
    def add_usage(
        self, user_id: str, period: str, increments: dict[str, int], claim: IdempotencyClaim | None
    ) -> dict[str, int]:
        """Atomically add ``increments`` to the user's counters for ``period``; returns the new values.

        Every counter a request moves lives in one item, so one ``UpdateItem ADD`` moves all or none.
        """
        update = self.usage_update(user_id, period, increments)
        if claim is None:
            return _numbers(self._db.update_item(**update, ReturnValues="UPDATED_NEW")["Attributes"])
        # A transaction returns no values: read the counters back (strongly consistent) after it.
        claim.transact([{"Update": update}])
        return self.get_period_counters(user_id, period)

    def usage_update(
        self, user_id: str, period: str, increments: dict[str, int], *, expected: dict[str, int] | None = None
    ) -> UpdateTypeDef:
        """``ADD`` of ``increments`` to the user's counters for ``period`` (for a transaction); with
        ``expected``, only if those counters still hold these values (a compare-and-set)."""
        names = {f"#c{i}": name for i, name in enumerate(increments)}
        update: UpdateTypeDef = {
            "TableName": self._table,
            "Key": _user_key(user_id, f"USAGE#{period}"),
            "UpdateExpression": "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(increments))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {f":v{i}": {"N": str(v)} for i, v in enumerate(increments.values())},
        }
        if expected:
            conditions = []
            for i, (name, value) in enumerate(expected.items()):
                names[f"#e{i}"] = name
                update["ExpressionAttributeValues"][f":e{i}"] = {"N": str(value)}  # type: ignore[index]
                unset = f"attribute_not_exists(#e{i}) OR " if value == 0 else ""
                conditions.append(f"({unset}#e{i} = :e{i})")
            update["ConditionExpression"] = " AND ".join(conditions)
        return update

    def set_product_count(self, user_id: str, value: int, claim: IdempotencyClaim | None) -> None:
        update: UpdateTypeDef = {
            "TableName": self._table,
            "Key": _user_key(user_id, "PROFILE"),
            "UpdateExpression": "SET product_count = :value, products_updated_at = :now",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":value": {"N": str(value)}, ":now": {"S": rfc3339_now()}},
        }
        try:
            if claim is None:
                self._db.update_item(**update)
            else:
                claim.transact([{"Update": update}])
        except ConditionFailed as error:
            raise UserNotFound("User not found") from error
        except ClientError as error:
            if condition_failed(error):
                raise UserNotFound("User not found") from error
            raise

    # --- provisioning (admin) ----------------------------------------------------------------------
    def put_plan(self, plan: Plan) -> None:
        item: Item = {
            "pk": {"S": f"PLAN#{plan.name}"},
            "sk": {"S": "PLAN"},
            "updated_at": {"S": rfc3339_now()},
        }
        for f in fields(PlanLimits):
            limit = getattr(plan.limits, f.name)
            if limit is not None:
                item[f.name] = {"N": str(limit)}
        self._db.put_item(TableName=self._table, Item=item)

    def create_user(self, user: User) -> None:
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    **_user_key(user.user_id, "PROFILE"),
                    "plan": {"S": user.plan},
                    "created_at": {"S": user.created_at},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if condition_failed(error):
                raise AlreadyExists(f"User {user.user_id} already exists") from error
            raise

    def set_user_plan(self, user_id: str, plan: str) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_user_key(user_id, "PROFILE"),
                UpdateExpression="SET #plan = :plan",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#plan": "plan"},
                ExpressionAttributeValues={":plan": {"S": plan}},
            )
        except ClientError as error:
            if condition_failed(error):
                raise UserNotFound(f"User {user_id} not found") from error
            raise

    def create_api_key(self, key: ApiKey) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"APIKEY#{key.key_id}"},
                "sk": {"S": "APIKEY"},
                "user_id": {"S": key.user_id},
                "key_hash": {"S": key.key_hash},
                "active": {"BOOL": key.active},
                "created_at": {"S": key.created_at},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def deactivate_api_key(self, key_id: str) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"APIKEY#{key_id}"}, "sk": {"S": "APIKEY"}},
                UpdateExpression="SET active = :false, deactivated_at = :now",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":false": {"BOOL": False}, ":now": {"S": rfc3339_now()}},
            )
        except ClientError as error:
            if condition_failed(error):
                raise ApiKeyNotFound(f"API key {key_id} not found") from error
            raise
