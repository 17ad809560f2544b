"""What a webhooks or events function creates once per container, lazily: its services, on the tables
and queue its settings name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.events.outbox import Outbox
from fashionos.events.service import EventService
from fashionos.events.store import EventStore
from fashionos.percontainer import per_container
from fashionos.settings import webhook_settings
from fashionos.webhooks.deliveries import DeliveryLog
from fashionos.webhooks.queue import DeliveryQueue
from fashionos.webhooks.service import DeliveryService, WebhookService
from fashionos.webhooks.store import WebhookStore

if TYPE_CHECKING:  # the delivery path (HTTP client, worker) is imported by the functions that use it only
    from fashionos.webhooks.fanout import Fanout
    from fashionos.webhooks.worker import DeliveryWorker


def _webhook_store() -> WebhookStore:
    return WebhookStore(aws.dynamodb(), webhook_settings().partner_table_name)


def _event_store() -> EventStore:
    return EventStore(aws.dynamodb(), webhook_settings().event_table_name)


def _delivery_log() -> DeliveryLog:
    return DeliveryLog(aws.dynamodb(), webhook_settings().partner_table_name)


@per_container
def delivery_queue() -> DeliveryQueue:
    return DeliveryQueue(aws.sqs(), webhook_settings().queue_url)


@per_container
def webhook_service() -> WebhookService:
    return WebhookService(_webhook_store(), allow_loopback=webhook_settings().allow_loopback)


@per_container
def event_service() -> EventService:
    return EventService(_event_store())


@per_container
def delivery_service() -> DeliveryService:
    return DeliveryService(
        webhook_service(), event_service(), _delivery_log(), delivery_queue(), Outbox(_event_store())
    )


@per_container
def fanout() -> Fanout:
    from fashionos.webhooks.fanout import Fanout

    return Fanout(_webhook_store(), delivery_queue())


@per_container
def delivery_worker() -> DeliveryWorker:
    from fashionos.webhooks.worker import DeliveryWorker

    config = webhook_settings()
    return DeliveryWorker(
        _webhook_store(),
        _delivery_log(),
        _event_store(),
        schedule=config.retry_schedule,
        allow_loopback=config.allow_loopback,
    )
