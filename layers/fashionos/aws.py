"""AWS clients, created lazily once per container (never per request, never at import time), and the one
reading of DynamoDB's condition failures that every store shares.

Clients are thread-safe; the local dev gateway calls handlers from many threads at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import boto3

from fashionos.percontainer import per_container

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef
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
