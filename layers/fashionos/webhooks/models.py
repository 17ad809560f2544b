"""Webhook subscriptions: what a partner may send (pydantic, strict) and the record we keep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fashionos.events.models import EVENT_TYPES, EventType

MAX_DESCRIPTION_LENGTH = 500
Description = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_LENGTH)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]
WebhookStatus = Literal["enabled", "disabled"]


class _WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class WebhookCreate(_WebhookRequest):
    url: str
    events: Events
    description: Description | None = None


class WebhookUpdate(_WebhookRequest):
    """PATCH: only the fields given change."""

    url: str | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None


class ReplayRequest(_WebhookRequest):
    """POST /v1/events/{id}/replay: to one endpoint, or (none given) to every endpoint subscribed."""

    webhook_id: str | None = None


class RecoverRequest(_WebhookRequest):
    """POST /v1/webhooks/{id}/recover: re-send the failed deliveries of events created in [since, until]."""

    since: str  # RFC 3339
    until: str | None = None  # RFC 3339; now if absent


@dataclass(frozen=True, slots=True)
class Webhook:
    webhook_id: str
    org_id: str
    url: str
    events: frozenset[str]
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

    def public(self) -> dict[str, object]:
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
