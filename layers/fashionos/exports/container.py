"""What an exports function creates once per container, lazily: the service on the partner table, the private
bucket and the export queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.percontainer import per_container
from fashionos.settings import export_settings

if TYPE_CHECKING:
    from fashionos.exports.service import ExportService


@per_container
def export_service() -> ExportService:
    from fashionos.assets.bucket import VaultBucket
    from fashionos.exports.service import ExportService
    from fashionos.exports.store import ExportStore

    config = export_settings()

    def enqueue(body: str) -> None:
        aws.sqs().send_message(QueueUrl=config.export_queue_url, MessageBody=body)

    store = ExportStore(aws.dynamodb(), config.partner_table_name)
    return ExportService(store, VaultBucket(aws.s3, config.asset_bucket_name), enqueue)
