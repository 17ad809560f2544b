"""Reading an org's events (GET /v1/events, /v1/events/{id}): the last 30 days, newest first."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping

from fashionos.errors import InvalidRequest
from fashionos.events import params
from fashionos.events.errors import EventNotFound
from fashionos.events.models import ALL_TYPES, EVENT_ID_PATTERN, RETENTION_SECONDS, Event
from fashionos.events.store import EventStore
from fashionos.ids import checked_cursor, ulid_bound
from fashionos.times import parse_rfc3339

DATE_TIME = re.compile(params.DATE_TIME)

LIST_FILTERS = frozenset({"type", "since", "until", "delivery_success"})


class EventService:
    def __init__(self, store: EventStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def get(self, org_id: str, event_id: str) -> Event:
        event = self.find(org_id, event_id) if EVENT_ID_PATTERN.fullmatch(event_id) else None
        if event is None:
            raise EventNotFound(f"Event {event_id} not found")
        return event

    def find(self, org_id: str, event_id: str) -> Event | None:
        """The event, or None once it has expired."""
        return self._store.get(org_id, event_id, self._clock())

    def list(
        self, org_id: str, filters: Mapping[str, str], limit: int, cursor: str | None
    ) -> tuple[list[Event], bool]:
        """A page of events matching ``filters`` (GET /v1/events query parameters): ``type`` (comma-separated
        types), ``since``/``until`` (RFC 3339, inclusive), ``delivery_success`` (``true``/``false``)."""
        unknown = set(filters) - LIST_FILTERS
        if unknown:
            raise InvalidRequest(f"Unknown query parameter: {sorted(unknown)[0]}")
        checked_cursor(EVENT_ID_PATTERN, cursor)
        now = self._clock()
        window = event_window(filters.get("since"), filters.get("until"), now)
        types = None
        if "type" in filters:
            types = frozenset(filters["type"].split(","))
            if not types <= set(ALL_TYPES):
                raise InvalidRequest(f"Unknown event type: {sorted(types - set(ALL_TYPES))[0]}")
        failed = None
        if "delivery_success" in filters:
            if filters["delivery_success"] not in ("true", "false"):
                raise InvalidRequest("delivery_success is true or false")
            failed = filters["delivery_success"] == "false"
        if window is None:
            return [], False
        return self._store.page(
            org_id,
            first=window[0],
            last=window[1],
            limit=limit,
            cursor=cursor,
            types=types,
            failed=failed,
            now=now,
        )


def event_window(since: str | None, until: str | None, now: float) -> tuple[str, str] | None:
    """The first and last possible ids of the events created in ``[since, until]`` (RFC 3339 date-times;
    by default the 30 days kept, up to now); None when no event kept can be in it (an empty window
    included: ``since`` after ``until`` finds nothing, as Stripe's ``created`` range does)."""
    return id_window("evt", since, until, oldest=now - RETENTION_SECONDS, now=now)


def id_window(
    prefix: str, since: str | None, until: str | None, *, oldest: float, now: float
) -> tuple[str, str] | None:
    """The first and last possible ``prefix_`` ids (ULIDs) of objects created in ``[since, until]``
    (RFC 3339 date-times; by default ``oldest`` up to now); None when the window is empty."""
    start = max(_epoch("since", since, default=oldest), oldest, 0)  # nothing older is kept, nor before 1970
    end = _epoch("until", until, default=now)
    if start > end:
        return None
    return f"{prefix}_{ulid_bound(start, upper=False)}", f"{prefix}_{ulid_bound(end, upper=True)}"


def _epoch(name: str, value: str | None, *, default: float) -> float:
    if value is None:
        return default
    try:
        if not DATE_TIME.fullmatch(value):
            raise ValueError(value)
        return parse_rfc3339(value)
    except ValueError:
        raise InvalidRequest(f"{name} must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z") from None
