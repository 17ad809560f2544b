"""The local stack's moto server leaves a cancelled transaction as DynamoDB does: every item as it was, no
stream record, so a stream reader (the webhook fan-out's poller) neither reads a write that never happened
nor skips the next real one; and a transaction's backup for that is of the items it names alone, not of
everything its tables hold (what made a long-running stack slower by the hour)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devserver.moto_serial import _Backups
from devserver.moto_server import MotoServer

OPTIONS = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}


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


def items(db: Any, table: str) -> list[dict[str, Any]]:
    return sorted(db.scan(TableName=table, ConsistentRead=True)["Items"], key=repr)


def test_a_cancelled_transaction_leaves_every_item_as_it_was(server: MotoServer) -> None:
    db = boto3.client("dynamodb", endpoint_url=server.url, **OPTIONS)
    db.create_table(
        TableName="ranged",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    db.create_table(
        TableName="hashed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for sk in ("a", "b", "c"):
        db.put_item(TableName="ranged", Item={"pk": {"S": "p"}, "sk": {"S": sk}, "n": {"N": "1"}})
    db.put_item(TableName="ranged", Item={"pk": {"S": "q"}, "sk": {"S": "a"}, "n": {"N": "1"}})
    db.put_item(TableName="hashed", Item={"pk": {"S": "h"}, "n": {"N": "1"}, "tags": {"SS": ["x"]}})
    before = {name: items(db, name) for name in ("ranged", "hashed")}
    add_one = {"UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
    changes: list[dict[str, Any]] = [
        {"Update": {"TableName": "ranged", "Key": {"pk": {"S": "p"}, "sk": {"S": "a"}}, **add_one}},
        {"Put": {"TableName": "ranged", "Item": {"pk": {"S": "p"}, "sk": {"S": "new"}}}},  # same partition
        {"Put": {"TableName": "ranged", "Item": {"pk": {"S": "r"}, "sk": {"S": "a"}}}},  # a new partition
        {"Delete": {"TableName": "ranged", "Key": {"pk": {"S": "p"}, "sk": {"S": "b"}}}},
        {
            "Update": {
                "TableName": "hashed",
                "Key": {"pk": {"S": "h"}},
                "UpdateExpression": "ADD n :one, tags :y",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":y": {"SS": ["y"]}},
            }
        },
        {"Put": {"TableName": "hashed", "Item": {"pk": {"S": "new"}}}},
    ]
    failing = {
        "ConditionCheck": {
            "TableName": "hashed",
            "Key": {"pk": {"S": "absent"}},
            "ConditionExpression": "attribute_exists(pk)",
        }
    }
    # when: the transaction's last item fails its condition
    with pytest.raises(ClientError) as cancelled:
        db.transact_write_items(TransactItems=[*changes, failing])
    # then: nothing of it is left
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert {name: items(db, name) for name in ("ranged", "hashed")} == before
    # and the same changes, without the failing item, commit
    db.transact_write_items(TransactItems=changes)
    ranged = {(i["pk"]["S"], i["sk"]["S"]): i.get("n", {}).get("N") for i in items(db, "ranged")}
    assert ranged == {("p", "a"): "2", ("p", "c"): "1", ("p", "new"): None, ("q", "a"): "1", ("r", "a"): None}
    hashed = {i["pk"]["S"]: i for i in items(db, "hashed")}
    assert set(hashed) == {"h", "new"}
    assert hashed["h"]["n"] == {"N": "2"}
    assert sorted(hashed["h"]["tags"]["SS"]) == ["x", "y"]


def test_a_transactions_backup_copies_the_items_it_names_and_shares_the_others() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    table = Table(
        "t",
        "123456789012",
        "us-east-1",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
    )
    for pk, sk in (("p", "a"), ("p", "b"), ("q", "a")):
        table.put_item({"pk": {"S": pk}, "sk": {"S": sk}})
    p, q, a, b = (DynamoType({"S": v}) for v in ("p", "q", "a", "b"))
    named = [
        {"Update": {"TableName": "t", "Key": {"pk": {"S": "p"}, "sk": {"S": "a"}}}},
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "p"}, "sk": {"S": "new"}}}},  # the same partition
    ]
    backup = _Backups(named).deepcopy(table)
    assert backup.items[p][a] is not table.items[p][a]  # the named item: copied
    assert backup.items[p][a].attrs == table.items[p][a].attrs
    assert backup.items[p] is not table.items[p]  # its partition: a new one, holding the others as they are
    assert backup.items[p][b] is table.items[p][b]
    assert backup.items[q] is table.items[q]  # another partition: shared
    assert backup.items is not table.items
