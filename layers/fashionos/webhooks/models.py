"""Webhook subscriptions: the record we keep (no pydantic: GET routes load this, never the request models)."""

from __future__ import annotations

from dataclasses import dataclass

from fashionos.events.views import EventType
from fashionos.webhooks import views
from fashionos.webhooks.views import WebhookStatus as WebhookStatus


@dataclass(frozen=True, slots=True)
class Webhook:
    webhook_id: str
    org_id: str
    url: str
    events: frozenset[EventType]
    description: str | None
    status: WebhookStatus
    secret: str
    created_at: str
    updated_at: str
    # After a secret rotation, the replaced secret signs alongside the new one until this epoch second.
    previous_secret: str | None = None
    previous_secret_expires_at: int | None = None
    # Epoch second of the first failed attempt since the last success (disabled after 5 days of failing).
    failing_since: int | None = None
    disabled_reason: str | None = None  # why it is disabled, when it is
    version: int = 0  # moved by every write (a change is conditional on the version it read)

    def signing_secrets(self, now: float) -> list[str]:
        """The secrets a delivery at ``now`` is signed with: the current one, and the previous one during
        its overlap."""
        overlapping = self.previous_secret and (self.previous_secret_expires_at or 0) > now
        return [self.secret, self.previous_secret] if overlapping and self.previous_secret else [self.secret]

    def public(self) -> views.Webhook:
        """The subscription as the API shows it (never the secret)."""
        return {
            "id": self.webhook_id,
            "url": self.url,
            "events": sorted(self.events),
            "description": self.description,
            "status": self.status,
            "disabled_reason": self.disabled_reason,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
