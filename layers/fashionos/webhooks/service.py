"""Webhook subscription rules: endpoints an org registers, their event types and signing secrets.

Every call names the caller's org: an id of another org's subscription is ``WebhookNotFound``, exactly as
an id that never existed. URLs pass the SSRF rules of ``fashionos.webhooks.urls`` when registered or
changed (and again before each delivery).
"""

from __future__ import annotations

import math
import re
import socket
import time
from collections.abc import Callable
from dataclasses import replace

from fashionos.errors import InvalidRequest, WebhookNotFound
from fashionos.ids import prefixed_id
from fashionos.times import rfc3339_now
from fashionos.webhooks.models import Webhook, WebhookCreate, WebhookUpdate
from fashionos.webhooks.signing import new_secret
from fashionos.webhooks.store import WebhookStore
from fashionos.webhooks.urls import Resolver, parse_endpoint_url, resolve_public

WEBHOOK_ID_PATTERN = re.compile(r"whk_[0-9A-HJKMNP-TV-Z]{26}")
SECRET_OVERLAP_SECONDS = 24 * 3600  # a rotated-out secret keeps signing this long
MAX_PAGE_SIZE = 100


class WebhookService:
    def __init__(
        self,
        store: WebhookStore,
        *,
        allow_loopback: bool = False,
        resolve: Resolver = socket.getaddrinfo,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._allow_loopback = allow_loopback
        self._resolve = resolve
        self._clock = clock

    def create(self, org_id: str, request: WebhookCreate) -> Webhook:
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
        )
        self._store.put(webhook, new=True)
        return webhook

    def get(self, org_id: str, webhook_id: str) -> Webhook:
        webhook = self._store.get(org_id, webhook_id) if WEBHOOK_ID_PATTERN.fullmatch(webhook_id) else None
        if webhook is None:
            raise WebhookNotFound(f"Webhook {webhook_id} not found")
        return webhook

    def list(self, org_id: str, limit: int = 20, cursor: str | None = None) -> tuple[list[Webhook], bool]:
        """A page of the org's subscriptions, oldest first; ``cursor`` is the last id of the previous page."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"limit is 1-{MAX_PAGE_SIZE}")
        if cursor is not None and not WEBHOOK_ID_PATTERN.fullmatch(cursor):
            raise InvalidRequest("cursor is not one this API returned")
        return self._store.list(org_id, limit, cursor)

    def update(self, org_id: str, webhook_id: str, request: WebhookUpdate) -> Webhook:
        webhook = self.get(org_id, webhook_id)
        changed = replace(
            webhook,
            url=self._checked_url(request.url) if request.url is not None else webhook.url,
            events=frozenset(request.events) if request.events is not None else webhook.events,
            description=request.description if request.description is not None else webhook.description,
            status=webhook.status
            if request.enabled is None
            else ("enabled" if request.enabled else "disabled"),
            updated_at=rfc3339_now(),
        )
        self._store.put(changed, new=False)
        return changed

    def delete(self, org_id: str, webhook_id: str) -> None:
        self.get(org_id, webhook_id)  # an id that cannot be ours is not found, not a lookup
        self._store.delete(org_id, webhook_id)

    def rotate_secret(self, org_id: str, webhook_id: str) -> Webhook:
        """A new secret (shown once); the old one signs alongside it for ``SECRET_OVERLAP_SECONDS``."""
        webhook = self.get(org_id, webhook_id)
        rotated = replace(
            webhook,
            secret=new_secret(),
            previous_secret=webhook.secret,
            previous_secret_expires_at=math.ceil(self._clock() + SECRET_OVERLAP_SECONDS),
            updated_at=rfc3339_now(),
        )
        self._store.put(rotated, new=False)
        return rotated

    def _checked_url(self, url: str) -> str:
        endpoint = parse_endpoint_url(url)
        resolve_public(endpoint, allow_loopback=self._allow_loopback, resolve=self._resolve)
        return endpoint.url
