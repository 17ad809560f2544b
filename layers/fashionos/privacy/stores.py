"""The stores of one stack that hold partner data: from the settings in a Lambda container
(``container_stores``), or from what the admin CLI found (``Stores.of``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.affiliates.store import AffiliateStore
from fashionos.assets.bucket import VaultBucket
from fashionos.assets.store import AssetStore
from fashionos.commerce.store import CommerceStore
from fashionos.events.store import EventStore
from fashionos.identity.partner_store import PartnerStore
from fashionos.percontainer import per_container
from fashionos.settings import PrivacySettings, privacy_settings
from fashionos.tryon.store import TryOnStore
from fashionos.webhooks.deliveries import DeliveryLog
from fashionos.webhooks.store import WebhookStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True, slots=True)
class Stores:
    names: PrivacySettings
    dynamodb: DynamoDBClient
    partner: PartnerStore
    webhooks: WebhookStore
    deliveries: DeliveryLog
    commerce: CommerceStore
    tryon: TryOnStore
    affiliates: AffiliateStore
    assets: AssetStore
    events: EventStore
    bucket: VaultBucket

    @classmethod
    def of(cls, names: PrivacySettings, dynamodb: DynamoDBClient, s3: Callable[[], S3Client]) -> Stores:
        return cls(
            names=names,
            dynamodb=dynamodb,
            partner=PartnerStore(dynamodb, names.partner_table_name),
            webhooks=WebhookStore(dynamodb, names.partner_table_name),
            deliveries=DeliveryLog(dynamodb, names.partner_table_name),
            commerce=CommerceStore(dynamodb, names.commerce_table_name),
            tryon=TryOnStore(dynamodb, names.tryon_table_name),
            affiliates=AffiliateStore(dynamodb, names.affiliate_table_name),
            assets=AssetStore(dynamodb, names.asset_table_name),
            events=EventStore(dynamodb, names.event_table_name),
            bucket=VaultBucket(s3, names.asset_bucket_name),
        )


@per_container
def container_stores() -> Stores:
    return Stores.of(privacy_settings(), aws.dynamodb(), aws.s3)
