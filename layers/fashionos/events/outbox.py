"""The transactional outbox: the one way domain code emits events.

``Outbox.commit(org_id, events, changes)`` writes the state changes that cause the events and the events
themselves in one DynamoDB transaction, so a change never loses its event and an event never exists
without its change. The event table's stream then drives delivery (``fashionos.webhooks.fanout``).

Each event gets the next ``sequence`` number of the object it is about (its ``data["id"]``): a counter
item moved from the value read to the next one in the same transaction, on the condition that nobody moved
it meanwhile (a concurrent commit retries), so sequences are gapless and ordered like the commits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from fashionos import retry
from fashionos.errors import Contended
from fashionos.events.models import RETENTION_SECONDS, Event, NewEvent
from fashionos.events.store import EventStore, event_item, sequence_key
from fashionos.idempotency import ConditionFailed
from fashionos.ids import ulid
from fashionos.times import rfc3339

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

MAX_ATTEMPTS = 10
MAX_PAUSE_SECONDS = 2.56  # before the tenth attempt (the ninth doubling)
MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit on one TransactWriteItems


class ChangeRejected(Exception):
    """The caller's change ``index`` (in the ``changes`` given to ``commit``) failed its condition: nothing
    was written, no event emitted."""

    def __init__(self, index: int) -> None:
        super().__init__(f"State change {index} failed its condition")
        self.index = index


class Outbox:
    def __init__(self, store: EventStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def commit(
        self,
        org_id: str,
        events: Sequence[NewEvent],
        changes: Sequence[TransactWriteItemTypeDef] = (),
        claim: Callable[[list[Event]], TransactWriteItemTypeDef] | None = None,
    ) -> list[Event]:
        """Apply ``changes`` (TransactWriteItems entries on any table) and record ``events``, all or
        nothing, with the request's idempotency claim when it has one (``claim`` makes it from the events
        as recorded); ``ChangeRejected`` if one of ``changes`` fails its condition,
        ``IdempotencyInProgress`` if the claim does."""
        if len(changes) + 2 * len(events) + (claim is not None) > MAX_TRANSACTION_ITEMS:
            raise ValueError("Too many changes and events for one transaction")
        for _ in retry.attempts(MAX_ATTEMPTS, max_pause=MAX_PAUSE_SECONDS):
            recorded, items = self._prepare(org_id, events)
            try:
                self._store.transact([*changes, *items], claim(recorded) if claim else None)
            except ConditionFailed as failed:
                if failed.index < len(changes):
                    raise ChangeRejected(failed.index) from None
                continue  # a concurrent commit moved a sequence counter: again
            except Contended:
                continue  # a concurrent transaction on the same items: again
            return recorded
        raise Contended("Could not commit: too many concurrent changes to the same objects; try again")

    def _prepare(
        self, org_id: str, events: Sequence[NewEvent]
    ) -> tuple[list[Event], list[TransactWriteItemTypeDef]]:
        now = self._clock()
        expires_at = math.ceil(now + RETENTION_SECONDS)
        read: dict[tuple[str, str], int] = {}
        next_: dict[tuple[str, str], int] = {}
        recorded: list[Event] = []
        items: list[TransactWriteItemTypeDef] = []
        for new in events:
            event_org = new.org_id or org_id
            counter = (event_org, str(new.data["id"]))
            if new.sole:
                sequence = 1
            else:
                if counter not in read:
                    known = 0 if new.first else self._store.sequence(*counter)
                    read[counter] = next_[counter] = known
                next_[counter] += 1
                sequence = next_[counter]
            event_id, created_at = f"evt_{ulid(now)}", rfc3339(now)
            event = Event(
                event_id=event_id,
                org_id=event_org,
                type=new.type,
                created_at=created_at,
                sequence=sequence,
                payload=Event.envelope(event_id, new.type, created_at, sequence, new.data),
                target_webhook_id=new.target_webhook_id,
            )
            recorded.append(event)
            items.append(
                {
                    "Put": {
                        "TableName": self._store.table,
                        "Item": event_item(event, expires_at),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        for counter, last in next_.items():
            unchanged = "attribute_not_exists(seq)" if read[counter] == 0 else "seq = :read"
            values = {":next": {"N": str(last)}}
            if read[counter]:
                values[":read"] = {"N": str(read[counter])}
            items.append(
                {
                    "Update": {
                        "TableName": self._store.table,
                        "Key": sequence_key(*counter),
                        "UpdateExpression": "SET seq = :next",
                        "ConditionExpression": unchanged,
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        return recorded, items
