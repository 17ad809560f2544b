"""What a Design Vault function creates once per container, lazily: its service (on the asset table, the
bucket, the partner table for grantees, the outbox) or, for the confirm function, the upload confirmer
alone (it never loads the service, the outbox or the partner code)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.assets.bucket import VaultBucket
from fashionos.assets.store import AssetStore
from fashionos.percontainer import per_container
from fashionos.settings import asset_settings

if TYPE_CHECKING:
    from fashionos.assets.confirm import UploadConfirmer
    from fashionos.assets.service import AssetService


@per_container
def _store() -> AssetStore:
    return AssetStore(aws.dynamodb(), asset_settings().asset_table_name)


@per_container
def _bucket() -> VaultBucket:
    return VaultBucket(aws.s3, asset_settings().asset_bucket_name)


@per_container
def asset_service() -> AssetService:
    from fashionos.assets.service import AssetService
    from fashionos.events.outbox import Outbox
    from fashionos.events.store import EventStore
    from fashionos.partner.container import partner_service

    outbox = Outbox(EventStore(aws.dynamodb(), asset_settings().event_table_name))
    return AssetService(_store(), _bucket(), partner_service(), outbox)


@per_container
def upload_confirmer() -> UploadConfirmer:
    from fashionos.assets.confirm import UploadConfirmer

    return UploadConfirmer(_store(), _bucket())
