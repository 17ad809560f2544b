"""AWS clients, created lazily once per container (never per request, never at import time), and the one
reading of DynamoDB's condition failures that every store shares.

Clients are thread-safe; the local dev gateway calls handlers from many threads at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import boto3

from fashionos.percontainer import per_container

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, ScanInputTypeDef, TransactWriteItemTypeDef
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient


@per_container
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@per_container
def secretsmanager() -> SecretsManagerClient:
    return boto3.client("secretsmanager")


@per_container
def sqs() -> SQSClient:
    return boto3.client("sqs")


@per_container
def s3() -> S3Client:
    """SigV4 (presigned POSTs carry their policy's signature), the region's own endpoint."""
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


def string(value: str) -> dict[str, str]:
    """A DynamoDB string attribute value."""
    return {"S": value}


def number(value: float) -> dict[str, str]:
    """A DynamoDB number attribute value."""
    return {"N": str(value)}


def condition_failed(error: ClientError) -> bool:
    """Whether a DynamoDB write failed its ``ConditionExpression`` (by error code, never by message)."""
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


T = TypeVar("T")


def query_page(
    client: DynamoDBClient, query: QueryInputTypeDef, limit: int, convert: Callable[[dict[str, Any]], T]
) -> tuple[list[T], bool]:
    """Up to ``limit`` items of ``query`` (following DynamoDB's pages, which a filter may leave short), and
    whether there are more: one item past ``limit`` is read to know."""
    items: list[T] = []
    while len(items) <= limit:
        page = client.query(**query)
        items += [convert(item) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return items[:limit], len(items) > limit


def query_all(
    client: DynamoDBClient, query: QueryInputTypeDef, convert: Callable[[dict[str, Any]], T]
) -> list[T]:
    """Every item of ``query``, following DynamoDB's pages."""
    return [convert(item) for item in query_items(client, query)]


def query_items(client: DynamoDBClient, query: QueryInputTypeDef) -> Iterator[dict[str, Any]]:
    """The items of ``query``, read one DynamoDB page at a time as they are consumed."""
    while True:
        page = client.query(**query)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_prefix(client: DynamoDBClient, table: str, pk: str, prefix: str) -> Iterator[dict[str, Any]]:
    """Every item of partition ``pk`` whose sort key starts with ``prefix``, in key order (consistent)."""
    query: QueryInputTypeDef = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
        "ConsistentRead": True,
    }
    return query_items(client, query)


def scan_items(client: DynamoDBClient, scan: ScanInputTypeDef) -> Iterator[dict[str, Any]]:
    """The items of a whole table (``scan``), read one DynamoDB page at a time as they are consumed. Only
    for what no key names: an org's erasure, and the few lists without a key of their own."""
    while True:
        page = client.scan(**scan)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def delete_keys(client: DynamoDBClient, table: str, keys: Iterable[dict[str, Any]]) -> int:
    """Delete the items of ``keys`` (BatchWriteItem, 25 a call, unprocessed ones again); how many keys."""
    pending = list(keys)
    for start in range(0, len(pending), 25):
        batch = [{"DeleteRequest": {"Key": key}} for key in pending[start : start + 25]]
        request: Any = {table: batch}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    return len(pending)


def batch_get(
    client: DynamoDBClient, table: str, keys: list[dict[str, Any]], convert: Callable[[dict[str, Any]], T]
) -> list[T]:
    """Strongly consistent BatchGetItem of ``keys`` (100 a call, unprocessed keys again); those found, in
    any order."""
    found: list[T] = []
    for start in range(0, len(keys), 100):
        request: Any = {table: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
        while request:
            page = client.batch_get_item(RequestItems=request)
            found += [convert(item) for item in page["Responses"].get(table, [])]
            request = page.get("UnprocessedKeys") or None
    return found


def at_version(version: int) -> tuple[str, dict[str, Any]]:
    """The condition (on ``#version``) that an item exists and is still at ``version`` (0: an item written
    before it had one), and its values."""
    if version:
        return "#version = :read", {":read": {"N": str(version)}}
    return "attribute_exists(pk) AND attribute_not_exists(#version)", {}


def versioned_update(
    table: str,
    key: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    version: int,
    *,
    fixed: Collection[str] = (),
) -> TransactWriteItemTypeDef:
    """The Update (for a transaction) that writes only what ``after`` changes from ``before`` (SET what
    differs, REMOVE what is gone) and moves ``version`` by one, on the condition that the item is still at
    ``version`` (0: an item written before it had one). ``fixed``: attributes other writes move (counters),
    which this one never writes. So two changes of one item never overwrite each other: the second fails
    its condition, and reads again."""
    untouched = {"version", *fixed, *key}
    changed = {
        name: value for name, value in after.items() if before.get(name) != value and name not in untouched
    }
    removed = [name for name in before if name not in after and name not in untouched]
    values: dict[str, Any] = {f":{name}": value for name, value in changed.items()}
    values[":one"] = {"N": "1"}
    expression = "ADD #version :one"
    if changed:
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in changed) + " " + expression
    if removed:
        expression += " REMOVE " + ", ".join(f"#{name}" for name in removed)
    condition, read = at_version(version)
    values |= read
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {f"#{name}": name for name in [*changed, *removed, "version"]},
            "ExpressionAttributeValues": values,
        }
    }
