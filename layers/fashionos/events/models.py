"""Events as partners receive them: the Standard Webhooks-style envelope, and the record we keep."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, get_args

from fashionos.events import views
from fashionos.events.views import AnyEventType as AnyEventType
from fashionos.events.views import EventType as EventType
from fashionos.ids import id_pattern

# The types partners subscribe to; and every type an event can have (with ``ping``, which only
# POST /v1/webhooks/{id}/test sends).
EVENT_TYPES: Final[tuple[str, ...]] = get_args(EventType)
API_VERSION: Final = "v1"
PING: Final = "ping"  # sent by POST /v1/webhooks/{id}/test, to that endpoint only
ALL_TYPES: Final[tuple[str, ...]] = get_args(AnyEventType)
EVENT_ID_PATTERN = id_pattern("evt")
RETENTION_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event for ``Outbox.commit``: ``data`` is the object it is about, and its ``id`` keys the event's
    per-object ``sequence``."""

    type: str
    data: Mapping[str, Any]
    target_webhook_id: str | None = None  # a ping goes to this one endpoint, whatever it subscribes to
    # The first event about a new object (a session just created): sequence 1, without reading its counter.
    first: bool = False
    # The one event its object will ever have (an affiliate click, a conversion): sequence 1, and no
    # sequence counter is read or kept for it.
    sole: bool = False
    # For another org than the committing one (a design published to a partner holding a grant on it): its
    # sequence counts that org's events about the object.
    org_id: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ALL_TYPES:
            raise ValueError(f"Unknown event type {self.type!r}")
        if not isinstance(self.data.get("id"), str):
            raise ValueError("An event's data is an object with an id")


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    org_id: str
    type: str
    created_at: str
    sequence: int
    # The envelope exactly as every delivery sends it (and as its signatures cover it).
    payload: str
    target_webhook_id: str | None = None
    failed_webhooks: frozenset[str] = frozenset()  # endpoints whose delivery of it failed for good

    @staticmethod
    def envelope(event_id: str, type_: str, created_at: str, sequence: int, data: Mapping[str, Any]) -> str:
        return json.dumps(
            {
                "id": event_id,
                "type": type_,
                "created_at": created_at,
                "api_version": API_VERSION,
                "sequence": sequence,
                "data": data,
            },
            separators=(",", ":"),
        )

    def public(self) -> views.Event:
        """The event as GET /v1/events shows it: its envelope, and which endpoints it failed to reach."""
        envelope: views.Envelope = json.loads(self.payload)
        failed = sorted(self.failed_webhooks)
        return {**envelope, "delivery": {"succeeded": not failed, "failed_webhooks": failed}}
