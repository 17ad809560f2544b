"""The local stack's moto server leaves a cancelled transaction as DynamoDB does: no item, no stream record,
so a stream reader (the webhook fan-out's poller) neither reads a write that never happened nor skips the
next real one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devserver.moto_server import MotoServer


@pytest.fixture
def server() -> Iterator[MotoServer]:
    moto = MotoServer().start()
    yield moto
    moto.stop()


def keys(records: list[dict[str, Any]]) -> list[str]:
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in records]


def test_a_cancelled_transaction_leaves_no_stream_record_and_skips_none(server: MotoServer) -> None:
    options: dict[str, Any] = {
        "endpoint_url": server.url,
        "region_name": "us-east-1",
        "aws_access_key_id": "x",
        "aws_secret_access_key": "x",
    }
    db, streams = boto3.client("dynamodb", **options), boto3.client("dynamodbstreams", **options)
    arn = db.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def iterator(**position: str) -> str:
        return streams.get_shard_iterator(StreamArn=arn, ShardId=shard, **position)["ShardIterator"]  # type: ignore[arg-type]

    db.put_item(TableName="t", Item={"pk": {"S": "real-1"}})
    (first,) = streams.get_records(ShardIterator=iterator(ShardIteratorType="TRIM_HORIZON"))["Records"]
    after_first = {
        "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
        "SequenceNumber": first["dynamodb"]["SequenceNumber"],
    }
    # given: a reader's iterator, then a transaction cancelled by its first item's condition
    held = iterator(**after_first)
    with pytest.raises(ClientError):
        db.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "no"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "phantom"}}}},
            ]
        )
    # then: the reader sees nothing new, and the next real write after it
    assert streams.get_records(ShardIterator=held)["Records"] == []
    db.put_item(TableName="t", Item={"pk": {"S": "real-2"}})
    assert keys(streams.get_records(ShardIterator=iterator(**after_first))["Records"]) == ["real-2"]
    assert keys(streams.get_records(ShardIterator=iterator(ShardIteratorType="TRIM_HORIZON"))["Records"]) == [
        "real-1",
        "real-2",
    ]
