"""DynamoDB access for webhook subscriptions: the only module of this feature that talks to boto3.

One item per subscription in the partner table, under its org: ``ORG#{org_id}`` / ``WEBHOOK#{webhook_id}``
(url, events, description, status, secret, previous_secret and previous_secret_expires_at during a
rotation's overlap, created_at, updated_at, and ``version``, moved by every write: a change read at one
version writes only its own fields, and only if nothing moved it since). Every read names the org, so
another org's id is simply not found; an org's subscriptions are one Query, in creation order (ids are ULIDs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from fashionos.aws import at_version, condition_failed, query_page, versioned_update
from fashionos.errors import Contended
from fashionos.idempotency import ConditionFailed, transact_with_claim
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.models import Webhook, WebhookStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

Item = dict[str, Any]
_PREFIX = "WEBHOOK#"


class StaleWrite(Exception):
    """The subscription changed since it was read: read it again and redo the change."""


def _key(org_id: str, webhook_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": _PREFIX + webhook_id}}


def _item(webhook: Webhook) -> Item:
    item: Item = {
        **_key(webhook.org_id, webhook.webhook_id),
        "url": {"S": webhook.url},
        "events": {"SS": sorted(webhook.events)},
        "status": {"S": webhook.status},
        "secret": {"S": webhook.secret},
        "created_at": {"S": webhook.created_at},
        "updated_at": {"S": webhook.updated_at},
        "version": {"N": str(webhook.version)},
    }
    if webhook.description is not None:
        item["description"] = {"S": webhook.description}
    if webhook.failing_since is not None:
        item["failing_since"] = {"N": str(webhook.failing_since)}
    if webhook.disabled_reason is not None:
        item["disabled_reason"] = {"S": webhook.disabled_reason}
    if webhook.previous_secret is not None and webhook.previous_secret_expires_at is not None:
        item["previous_secret"] = {"S": webhook.previous_secret}
        item["previous_secret_expires_at"] = {"N": str(webhook.previous_secret_expires_at)}
    return item


def _webhook(item: Item) -> Webhook:
    return Webhook(
        webhook_id=item["sk"]["S"].removeprefix(_PREFIX),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        url=item["url"]["S"],
        events=frozenset(item["events"]["SS"]),
        description=item["description"]["S"] if "description" in item else None,
        status=cast(WebhookStatus, item["status"]["S"]),
        secret=item["secret"]["S"],
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        previous_secret=item["previous_secret"]["S"] if "previous_secret" in item else None,
        previous_secret_expires_at=(
            int(item["previous_secret_expires_at"]["N"]) if "previous_secret_expires_at" in item else None
        ),
        failing_since=int(item["failing_since"]["N"]) if "failing_since" in item else None,
        disabled_reason=item["disabled_reason"]["S"] if "disabled_reason" in item else None,
        version=int(item["version"]["N"]) if "version" in item else 0,
    )


class WebhookStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self._table = table

    def create(self, webhook: Webhook, claim: TransactWriteItemTypeDef | None = None) -> None:
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": _item(webhook),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        transact_with_claim(self._db, [put], claim)

    def update(self, before: Webhook, after: Webhook, claim: TransactWriteItemTypeDef | None = None) -> None:
        """Write the fields ``after`` changes (and only those), on the condition that the subscription is
        still at ``before.version``: ``StaleWrite`` if anything (a PATCH, a rotation, the delivery worker)
        changed it since it was read, ``WebhookNotFound`` if it was deleted."""
        key = _key(before.org_id, before.webhook_id)
        update = versioned_update(self._table, key, _item(before), _item(after), before.version)
        try:
            transact_with_claim(self._db, [update], claim)
        except Contended:
            raise StaleWrite from None
        except ConditionFailed:
            if self.get(before.org_id, before.webhook_id) is None:
                raise WebhookNotFound(f"Webhook {before.webhook_id} not found") from None
            raise StaleWrite from None

    def get(self, org_id: str, webhook_id: str) -> Webhook | None:
        item = self._db.get_item(TableName=self._table, Key=_key(org_id, webhook_id), ConsistentRead=True)
        return _webhook(item["Item"]) if "Item" in item else None

    def page(self, org_id: str, limit: int, after: str | None) -> tuple[list[Webhook], bool]:
        """Up to ``limit`` subscriptions created after the one ``after`` names, and whether there are more."""
        query: QueryInputTypeDef = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"ORG#{org_id}"}, ":prefix": {"S": _PREFIX}},
            "Limit": limit + 1,
        }
        if after is not None:
            query["ExclusiveStartKey"] = _key(org_id, after)
        return query_page(self._db, query, limit, _webhook)

    def delete(self, org_id: str, webhook_id: str) -> None:
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=_key(org_id, webhook_id),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            raise WebhookNotFound(f"Webhook {webhook_id} not found") from None

    def subscribers(self, org_id: str) -> list[Webhook]:
        """Every subscription of the org (fan-out filters them by status and event type)."""
        webhooks: list[Webhook] = []
        after: str | None = None
        while True:
            page, more = self.page(org_id, 100, after)
            webhooks += page
            if not more:
                return webhooks
            after = page[-1].webhook_id

    def record_failure(self, webhook: Webhook, now: int, *, disable_reason: str | None) -> None:
        """Start (or continue) the endpoint's failure streak; with ``disable_reason``, disable it, but only
        if the subscription is still as read (a PATCH that enabled it meanwhile wins: nothing is written)."""
        expression = "SET failing_since = if_not_exists(failing_since, :now)"
        values: dict[str, AttributeValueTypeDef] = {":now": {"N": str(now)}}
        condition = "attribute_exists(pk)"
        if disable_reason is not None:
            expression += ", #status = :disabled, disabled_reason = :reason"
            values.update({":disabled": {"S": "disabled"}, ":reason": {"S": disable_reason}})
            condition, read = at_version(webhook.version)
            values.update(read)
        self._update(webhook, expression, values, condition)

    def record_success(self, webhook: Webhook) -> None:
        """End the endpoint's failure streak (called only when it has one: a success costs no write)."""
        self._update(webhook, "REMOVE failing_since", {})

    def _update(
        self,
        webhook: Webhook,
        expression: str,
        values: dict[str, AttributeValueTypeDef],
        condition: str = "attribute_exists(pk)",  # a deleted subscription stays deleted
    ) -> None:
        values = {**values, ":one": {"N": "1"}}
        try:
            self._db.update_item(
                TableName=self._table,
                Key=_key(webhook.org_id, webhook.webhook_id),
                UpdateExpression=f"{expression} ADD #version :one",  # a PATCH read before this retries
                ConditionExpression=condition,
                **_expression_arguments(expression, values),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise


def _expression_arguments(expression: str, values: dict[str, AttributeValueTypeDef]) -> dict[str, Any]:
    """ExpressionAttributeNames/Values as far as the expression uses them (DynamoDB refuses unused ones):
    every worker write also moves the version."""
    names = {"#version": "version"}
    if "#status" in expression:
        names["#status"] = "status"
    return {"ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
