"""What a partner may send to the webhook routes (pydantic, strict); imported by routes that parse a body."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fashionos.events.models import EVENT_TYPES, EventType

MAX_DESCRIPTION_LENGTH = 500
Description = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_LENGTH)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]


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
