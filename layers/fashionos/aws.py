"""AWS clients, created lazily once per container (never per request, never at import time), and the one
reading of DynamoDB's condition failures that every store shares.

Clients are thread-safe; the local dev gateway calls handlers from many threads at once.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient


@cache
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@cache
def secretsmanager() -> SecretsManagerClient:
    return boto3.client("secretsmanager")


@cache
def sqs() -> SQSClient:
    return boto3.client("sqs")


def condition_failed(error: ClientError) -> bool:
    """Whether a DynamoDB write failed its ``ConditionExpression`` (by error code, never by message)."""
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"
