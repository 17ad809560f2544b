"""Webhook subscription rules: endpoints an org registers, their event types and signing secrets.

Every call names the caller's org: an id of another org's subscription is ``WebhookNotFound``, exactly as
an id that never existed. URLs pass the SSRF rules of ``fashionos.webhooks.urls`` when registered or
changed (and again before each delivery).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from fashionos import retry
from fashionos.errors import Contended
from fashionos.events.models import PING, Event, NewEvent
from fashionos.events.outbox import Outbox
from fashionos.events.service import EventService, event_window
from fashionos.idempotency import Claim
from fashionos.ids import checked_cursor, id_pattern, prefixed_id
from fashionos.times import rfc3339_now
from fashionos.webhooks.deliveries import Attempt, DeliveryLog
from fashionos.webhooks.errors import WebhookDisabled, WebhookNotFound
from fashionos.webhooks.fanout import delivery_message, recipients
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.queue import DeliveryQueue
from fashionos.webhooks.signing import new_secret
from fashionos.webhooks.store import StaleWrite, WebhookStore
from fashionos.webhooks.urls import Resolver, parse_endpoint_url, resolve_public, system_resolve

if TYPE_CHECKING:
    from fashionos.webhooks.requests import RecoverRequest, WebhookCreate, WebhookUpdate

WEBHOOK_ID_PATTERN = id_pattern("whk")
ATTEMPT_ID_PATTERN = id_pattern("atm")
SECRET_OVERLAP_SECONDS = 24 * 3600  # a rotated-out secret keeps signing this long
MAX_WRITE_ATTEMPTS = 5


class WebhookService:
    def __init__(
        self,
        store: WebhookStore,
        *,
        allow_loopback: bool = False,
        resolve: Resolver = system_resolve,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._allow_loopback = allow_loopback
        self._resolve = resolve
        self._clock = clock

    def create(self, org_id: str, request: WebhookCreate, claim: Claim[Webhook] | None = None) -> Webhook:
        """A new enabled subscription; its ``secret`` is shown to the caller this once."""
        now = rfc3339_now()
        webhook = Webhook(
            webhook_id=prefixed_id("whk"),
            org_id=org_id,
            url=self._checked_url(request.url),
            events=frozenset(request.events),
            description=request.description,
            status="enabled",
            secret=new_secret(),
            created_at=now,
            updated_at=now,
            version=1,
        )
        self._store.create(webhook, claim.item(webhook) if claim else None)
        return webhook

    def get(self, org_id: str, webhook_id: str) -> Webhook:
        webhook = self._store.get(org_id, webhook_id) if WEBHOOK_ID_PATTERN.fullmatch(webhook_id) else None
        if webhook is None:
            raise WebhookNotFound(f"Webhook {webhook_id} not found")
        return webhook

    def subscribers(self, org_id: str) -> list[Webhook]:
        return self._store.subscribers(org_id)

    def list(self, org_id: str, limit: int = 20, cursor: str | None = None) -> tuple[list[Webhook], bool]:
        """A page of the org's subscriptions, oldest first; ``cursor`` is the last id of the previous page."""
        return self._store.page(org_id, limit, checked_cursor(WEBHOOK_ID_PATTERN, cursor))

    def update(self, org_id: str, webhook_id: str, request: WebhookUpdate) -> Webhook:
        url = self._checked_url(request.url) if request.url is not None else None

        def change(webhook: Webhook) -> Webhook:
            changed = replace(
                webhook,
                url=url if url is not None else webhook.url,
                events=frozenset(request.events) if request.events is not None else webhook.events,
                description=request.description if request.description is not None else webhook.description,
            )
            if request.enabled is not None and request.enabled != (webhook.status == "enabled"):
                # Enabling starts afresh (no failure streak); disabling says who did it.
                changed = replace(
                    changed,
                    status="enabled" if request.enabled else "disabled",
                    failing_since=None,
                    disabled_reason=None if request.enabled else "Disabled through the API",
                )
            return changed

        return self._change(org_id, webhook_id, change)

    def delete(self, org_id: str, webhook_id: str) -> None:
        self.get(org_id, webhook_id)  # an id that cannot be ours is not found, not a lookup
        self._store.delete(org_id, webhook_id)

    def rotate_secret(self, org_id: str, webhook_id: str, claim: Claim[Webhook] | None = None) -> Webhook:
        """A new secret (shown once); the old one signs alongside it for ``SECRET_OVERLAP_SECONDS``."""
        secret = new_secret()

        def rotate(webhook: Webhook) -> Webhook:
            return replace(
                webhook,
                secret=secret,
                previous_secret=webhook.secret,
                previous_secret_expires_at=math.ceil(self._clock() + SECRET_OVERLAP_SECONDS),
            )

        return self._change(org_id, webhook_id, rotate, claim)

    def _change(
        self,
        org_id: str,
        webhook_id: str,
        change: Callable[[Webhook], Webhook],
        claim: Claim[Webhook] | None = None,
    ) -> Webhook:
        """Apply ``change`` to the subscription as it is now, writing only what it changes; when something
        else (another change, the delivery worker) wrote in between, read again and redo it, so neither
        write is lost. A change that changes nothing writes nothing."""
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            webhook = self.get(org_id, webhook_id)
            changed = change(webhook)
            if changed == webhook:
                return webhook
            changed = replace(changed, updated_at=rfc3339_now(), version=webhook.version + 1)
            try:
                self._store.update(webhook, changed, claim.item(changed) if claim else None)
            except StaleWrite:
                continue
            return changed
        raise Contended(f"Webhook {webhook_id} is being changed by other requests; try again")

    def _checked_url(self, url: str) -> str:
        endpoint = parse_endpoint_url(url)
        resolve_public(endpoint, allow_loopback=self._allow_loopback, resolve=self._resolve)
        return endpoint.url


class DeliveryService:
    """What a partner does with deliveries: test an endpoint, read its attempt log, send an event again,
    re-send what failed while an endpoint was down. Every call names the caller's org."""

    def __init__(
        self,
        webhooks: WebhookService,
        events: EventService,
        log: DeliveryLog,
        queue: DeliveryQueue,
        outbox: Outbox,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._webhooks = webhooks
        self._events = events
        self._log = log
        self._queue = queue
        self._outbox = outbox
        self._clock = clock

    def ping(self, org_id: str, webhook_id: str, claim: Claim[Event] | None = None) -> Event:
        """A signed ``ping`` event to this endpoint only (through the outbox, like every event)."""
        webhook = self._enabled(org_id, webhook_id)
        data = {"id": webhook.webhook_id, "object": "webhook", "url": webhook.url}
        ping = NewEvent(PING, data, target_webhook_id=webhook.webhook_id)
        claimed = (lambda events: claim.item(events[0])) if claim else None
        (event,) = self._outbox.commit(org_id, [ping], claim=claimed)
        return event

    def attempts(
        self, org_id: str, webhook_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Attempt], bool]:
        webhook = self._webhooks.get(org_id, webhook_id)
        return self._log.attempts(
            webhook.webhook_id, limit, checked_cursor(ATTEMPT_ID_PATTERN, cursor), self._clock()
        )

    def replay(self, org_id: str, event_id: str, webhook_id: str | None) -> list[str]:
        """Send the event again: to one endpoint, or to every enabled endpoint that would receive it now.
        The ids of the endpoints it goes to."""
        event = self._events.get(org_id, event_id)
        if webhook_id is not None:
            targets = [self._enabled(org_id, webhook_id)]
        else:
            targets = recipients(event, self._webhooks.subscribers(org_id))
        self._queue.send([delivery_message(event, webhook, replay=True) for webhook in targets])
        return [webhook.webhook_id for webhook in targets]

    def recover(self, org_id: str, webhook_id: str, request: RecoverRequest) -> list[str]:
        """Send again every event created in ``[since, until]`` whose delivery to the endpoint failed; the
        event ids."""
        webhook = self._enabled(org_id, webhook_id)
        window = event_window(request.since, request.until, self._clock())
        failed = self._log.failed(webhook.webhook_id, *window) if window else []
        events = [event for event_id in failed if (event := self._events.find(org_id, event_id))]
        self._queue.send([delivery_message(event, webhook, replay=True) for event in events])
        return [event.event_id for event in events]

    def _enabled(self, org_id: str, webhook_id: str) -> Webhook:
        webhook = self._webhooks.get(org_id, webhook_id)
        if webhook.status != "enabled":
            raise WebhookDisabled(f"Webhook {webhook_id} is disabled; enable it (PATCH enabled: true) first")
        return webhook
