"""Events as the API answers them and webhooks deliver them: ``Event.public()`` returns ``Event`` (mypy holds
the code to it) and the OpenAPI documents take their schemas from these."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

# The event types partners subscribe to: the document's, and ``order.cancelled``. Each area emits its own
# through the outbox.
EventType = Literal[
    "order.created",
    "order.fulfilled",
    "order.cancelled",
    "product.updated",
    "design.published",
    "affiliate.click",
    "affiliate.conversion",
    "tryon.session.created",
]
# Every type an event can have: ``ping`` is only ever sent by POST /v1/webhooks/{id}/test.
AnyEventType = Literal[EventType, "ping"]


class Envelope(TypedDict):
    """An event exactly as every delivery POSTs it (and as its signatures cover it); ``webhook-id`` is its
    ``id``. ``sequence`` counts the events about one object (``data.id``): 1, 2, 3, ... in commit order."""

    id: str
    type: AnyEventType
    created_at: str
    api_version: Literal["v1"]
    sequence: int
    data: dict[str, Any]  # the object the event is about, as the API shows it


class EventDelivery(TypedDict):
    """Whether every endpoint it went to received it: ``failed_webhooks`` lists those whose delivery of it
    failed for good (until a replay or recovery reaches them)."""

    succeeded: bool
    failed_webhooks: list[str]


class Event(Envelope):
    """An event of the org's last 30 days: its envelope, and how its delivery went."""

    delivery: EventDelivery


class EventReplay(TypedDict):
    """The event is on its way again (with its original id) to these endpoints."""

    event_id: str
    webhook_ids: list[str]
