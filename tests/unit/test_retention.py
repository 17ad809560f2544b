"""The README's Retention table against the template: every queue's message retention, every log group's
retention, every table with a TTL and every lifecycle rule of a bucket is in it, with the template's value."""

from __future__ import annotations

from typing import Any

import pytest

from devserver.template import ROOT, load_template

RESOURCES: dict[str, dict[str, Any]] = load_template()["Resources"]
DAY = 24 * 3600


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: res.get("Properties", {}) for name, res in RESOURCES.items() if res["Type"] == kind}


def retention_rows() -> list[str]:
    """The rows of the table in the README's "Retention" section."""
    text = (ROOT / "README.md").read_text()
    assert "\n## Retention\n" in text, "the README has a Retention section"
    section = text.split("\n## Retention\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    assert len(rows) > 1, "the Retention section has its table"
    return rows[1:]  # not the header


def rows_naming(name: str) -> list[str]:
    return [row for row in retention_rows() if f"`{name}`" in row]


def days(value: int) -> str:
    return f"{value} day" if value == 1 else f"{value} days"


@pytest.mark.parametrize("queue", sorted(of_type("AWS::SQS::Queue")))
def test_every_queue_is_listed_with_its_message_retention(queue: str) -> None:
    seconds = int(of_type("AWS::SQS::Queue")[queue].get("MessageRetentionPeriod", 4 * DAY))  # SQS's default
    assert seconds % DAY == 0
    (row,) = rows_naming(queue)
    assert days(seconds // DAY) in row, row
    assert f"{seconds} s" in row, row


@pytest.mark.parametrize("group", sorted(of_type("AWS::Logs::LogGroup")))
def test_every_log_group_is_listed_with_its_retention(group: str) -> None:
    properties = of_type("AWS::Logs::LogGroup")[group]
    name = properties["LogGroupName"]
    name = name.get("Fn::Sub", name) if isinstance(name, dict) else name
    prefix = str(name).split("${AWS::StackName}")[0]  # /aws/lambda/ or /aws/apigateway/
    rows = [row for row in retention_rows() if f"`{prefix}" in row]
    assert rows, f"no Retention row for the log group {name}"
    retention = properties["RetentionInDays"]
    assert all(f"{days(retention)} (`RetentionInDays: {retention}`)" in row for row in rows), rows


@pytest.mark.parametrize(
    "table",
    sorted(name for name, p in of_type("AWS::DynamoDB::Table").items() if "TimeToLiveSpecification" in p),
)
def test_every_table_with_a_ttl_is_listed_with_its_ttl_attribute(table: str) -> None:
    ttl = of_type("AWS::DynamoDB::Table")[table]["TimeToLiveSpecification"]
    assert ttl["Enabled"] is True
    rows = rows_naming(table)
    assert rows, f"no Retention row for {table}"
    assert any(f"TTL `{ttl['AttributeName']}`" in row for row in rows), rows


def test_every_table_is_listed() -> None:
    for table in of_type("AWS::DynamoDB::Table"):
        assert rows_naming(table), f"no Retention row for {table}"


def lifecycle_rules() -> list[tuple[str, dict[str, Any]]]:
    return [
        (bucket, rule)
        for bucket, properties in of_type("AWS::S3::Bucket").items()
        for rule in properties.get("LifecycleConfiguration", {}).get("Rules", [])
    ]


@pytest.mark.parametrize(("bucket", "rule"), lifecycle_rules(), ids=[r["Id"] for _, r in lifecycle_rules()])
def test_every_lifecycle_rule_is_listed_with_its_days(bucket: str, rule: dict[str, Any]) -> None:
    (row,) = [row for row in rows_naming(bucket) if f"rule `{rule['Id']}`" in row]
    for expiry in (
        rule.get("ExpirationInDays"),
        rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
        rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation"),
    ):
        if expiry is not None:
            assert days(expiry) in row, row


def test_every_secret_is_listed() -> None:
    for secret in of_type("AWS::SecretsManager::Secret"):
        assert rows_naming(secret), f"no Retention row for {secret}"
