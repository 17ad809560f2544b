"""Conversions: a sale attributed to a click while the click's attribution window is open, once per click
and order (a repeat answers the first). Each is one transaction: the conversion (conditional on being the
click's first for that order), an ``ADD`` to one of its link's counter shards for the day it occurred
(``conversions``, ``revenue_{currency}``) and ``affiliate.conversion``. An order that names a click commits
the same writes in its own transaction (``order_conversion``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from fashionos.affiliates.errors import AttributionWindowExpired, ClickNotFound, ConversionTimeInvalid
from fashionos.affiliates.records import CLICK_RETENTION_MARGIN_SECONDS, Click, Conversion, day_of
from fashionos.affiliates.store import AffiliateStore
from fashionos.events.models import NewEvent
from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.idempotency import Claim
from fashionos.ids import id_pattern, prefixed_id
from fashionos.times import parse_rfc3339, rfc3339

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from fashionos.affiliates.requests import ConversionCreate

CLICK_ID = id_pattern("clk")
CLOCK_SKEW_SECONDS = 300  # how far ahead of ours the partner's clock may be


class ConversionService:
    def __init__(self, store: AffiliateStore, outbox: Outbox, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._outbox = outbox
        self._clock = clock

    def record(
        self, org_id: str, request: ConversionCreate, claim: Claim[Conversion] | None = None
    ) -> tuple[Conversion, bool]:
        """The conversion, and whether it is new (False: the click's first for that order, answered
        again)."""
        click = self._store.click(org_id, request.click_id) if CLICK_ID.fullmatch(request.click_id) else None
        if click is None:
            raise ClickNotFound(f"Click {request.click_id} not found")
        first = self._store.conversion(click.click_id, request.order_id)
        if first is not None:
            return first, False
        now = self._clock()
        occurred = parse_rfc3339(request.occurred_at) if request.occurred_at is not None else now
        if occurred > now + CLOCK_SKEW_SECONDS:
            raise ConversionTimeInvalid(f"occurred_at: {request.occurred_at} is in the future")
        if occurred < click.at - CLOCK_SKEW_SECONDS:
            raise ConversionTimeInvalid(f"occurred_at: {request.occurred_at} is before the click")
        if occurred > click.attribution_ends:
            raise AttributionWindowExpired(
                f"The click's attribution window ({click.attribution_window_days} days) ended at "
                f"{rfc3339(click.attribution_ends)}"
            )
        amount = request.amount
        conversion, writes, event = self._conversion(
            click, request.order_id, amount.amount, amount.currency, occurred, now
        )
        claimed = claim.item(conversion) if claim else None
        try:
            self._outbox.commit(org_id, [event], writes, claim=(lambda _: claimed) if claimed else None)
        except ChangeRejected as rejected:
            if rejected.index != 0:
                raise
            first = self._store.conversion(click.click_id, request.order_id)  # a concurrent duplicate won
            assert first is not None
            return first, False
        return conversion, True

    def order_conversion(
        self, org_id: str, click_id: str, order_id: str, amount: int, currency: str, at: float
    ) -> tuple[Sequence[TransactWriteItemTypeDef], NewEvent] | None:
        """The writes and the event of an order's conversion, for the order's own transaction; None when
        the click is not the org's, or ``at`` is outside its attribution window (no conversion, then)."""
        click = self._store.click(org_id, click_id) if CLICK_ID.fullmatch(click_id) else None
        if click is None or not click.at - CLOCK_SKEW_SECONDS <= at <= click.attribution_ends:
            return None
        _, writes, event = self._conversion(click, order_id, amount, currency, at, at)
        return writes, event

    def _conversion(
        self, click: Click, order_id: str | None, amount: int, currency: str, occurred: float, now: float
    ) -> tuple[Conversion, list[TransactWriteItemTypeDef], NewEvent]:
        """The conversion, its writes (the conversion first) and its event."""
        conversion = Conversion(
            conversion_id=prefixed_id("cnv"),
            org_id=click.org_id,
            click_id=click.click_id,
            link_id=click.link_id,
            order_id=order_id,
            amount=amount,
            currency=currency,
            occurred_at=rfc3339(occurred),
            created_at=rfc3339(now),
        )
        shard = random.randrange(click.shards)  # noqa: S311 (spreads writes; not a secret)
        counted = {"conversions": 1, f"revenue_{currency}": amount}
        writes = [
            self._store.put_conversion(conversion, click.attribution_ends + CLICK_RETENTION_MARGIN_SECONDS),
            self._store.count(click.link_id, shard, day_of(occurred), counted),
        ]
        return conversion, writes, NewEvent("affiliate.conversion", conversion.public(), sole=True)
