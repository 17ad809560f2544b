"""Fan-out: a new event (from the outbox table's stream) becomes one delivery message per endpoint that
should receive it: the org's enabled subscriptions to its type, or, for a ping, the one endpoint tested."""

from __future__ import annotations

from fashionos.events.models import Event
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.queue import DeliveryMessage, DeliveryQueue
from fashionos.webhooks.store import WebhookStore


def recipients(event: Event, subscriptions: list[Webhook]) -> list[Webhook]:
    if event.target_webhook_id is not None:
        return [w for w in subscriptions if w.webhook_id == event.target_webhook_id and w.status == "enabled"]
    return [w for w in subscriptions if w.status == "enabled" and event.type in w.events]


def delivery_message(event: Event, webhook: Webhook, *, replay: bool = False) -> DeliveryMessage:
    return DeliveryMessage(
        org_id=event.org_id,
        webhook_id=webhook.webhook_id,
        event_id=event.event_id,
        event_type=event.type,
        payload=event.payload,
        replay=replay,
    )


class Fanout:
    def __init__(self, webhooks: WebhookStore, queue: DeliveryQueue) -> None:
        self._webhooks = webhooks
        self._queue = queue

    def fan_out(self, event: Event) -> int:
        """Enqueue the event's deliveries; how many. Safe to repeat: the delivery worker skips an
        (event, endpoint) already delivered, and receivers de-duplicate by ``webhook-id``."""
        messages = [
            delivery_message(event, w) for w in recipients(event, self._webhooks.subscribers(event.org_id))
        ]
        self._queue.send(messages)
        return len(messages)
