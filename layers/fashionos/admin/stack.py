"""Where the admin CLI finds a stack: the local one (``.dev/stack.json``) or a deployed one (its outputs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from fashionos.settings import PrivacySettings


class StackNotFound(Exception):
    pass


@dataclass(frozen=True)
class Stack:
    name: str
    outputs: dict[str, str]
    session: boto3.Session
    endpoint_url: str | None = None

    @property
    def table(self) -> str:
        return self.outputs["IntegrationTableName"]

    @property
    def handshake_secret(self) -> str:
        return self.outputs["HandshakeSecretArn"]

    @property
    def partner_table(self) -> str:
        return self._partner_output("PartnerTableName")

    @property
    def signing_key_secret(self) -> str:
        return self._partner_output("SigningKeySecretArn")

    @property
    def commerce_table(self) -> str:
        return self._partner_output("CommerceTableName", "the commerce routes")

    def privacy(self) -> PrivacySettings:
        """The tables and bucket that hold partner data (an org's export and erasure)."""
        from fashionos.settings import PrivacySettings

        area = "data protection"
        return PrivacySettings(
            partner_table_name=self.partner_table,
            commerce_table_name=self.commerce_table,
            event_table_name=self._partner_output("EventTableName", area),
            tryon_table_name=self._partner_output("TryOnTableName", area),
            affiliate_table_name=self._partner_output("AffiliateTableName", area),
            asset_table_name=self._partner_output("AssetTableName", area),
            asset_bucket_name=self._partner_output("AssetBucketName", area),
            public_base_url=self.outputs.get("PartnerApiUrl", "").rstrip("/"),
        )

    def _partner_output(self, name: str, area: str = "the Partner API") -> str:
        value = self.outputs.get(name)
        if value is None:
            raise StackNotFound(f"Stack {self.name} has no output {name}: deployed before {area}?")
        return value

    def dynamodb(self) -> DynamoDBClient:
        return self.session.client("dynamodb", endpoint_url=self.endpoint_url)

    def secretsmanager(self) -> SecretsManagerClient:
        return self.session.client("secretsmanager", endpoint_url=self.endpoint_url)

    def s3(self) -> S3Client:
        from botocore.config import Config

        return self.session.client(
            "s3", endpoint_url=self.endpoint_url, config=Config(signature_version="s3v4")
        )


def local_stack(path: Path) -> Stack:
    if not path.exists():
        raise StackNotFound(
            f"No local stack ({path} is missing): start one with `make dev`, or pass --stack NAME"
        )
    described = json.loads(path.read_text())
    secret = "local"  # moto takes any credentials  # noqa: S105
    session = boto3.Session(
        aws_access_key_id="local", aws_secret_access_key=secret, region_name=described["region"]
    )
    return Stack(described["stack_name"], described["outputs"], session, described["endpoint_url"])


def deployed_stack(name: str, region: str | None = None, profile: str | None = None) -> Stack:
    session = boto3.Session(region_name=region, profile_name=profile)
    try:
        stacks = session.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        raise StackNotFound(f"Stack {name}: {error}") from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    missing = {"IntegrationTableName", "HandshakeSecretArn"} - set(outputs)
    if missing:
        raise StackNotFound(
            f"Stack {name} has no output {', '.join(sorted(missing))}: is it a Fashion OS stack?"
        )
    return Stack(name, outputs, session)
