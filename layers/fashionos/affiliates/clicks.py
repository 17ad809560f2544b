"""The public redirect: a short code's GET sends the shopper to its link's destination, and records the
click (and ``affiliate.click``) on the way; HEAD redirects without counting.

The click path reads one item (the code's redirect record) and writes without reading first: the per-IP
window (one ``ADD``), the visitor's first-click-of-the-day marker (a conditional put), and one transaction
of the click, an ``ADD`` to one of the link's counter shards (picked at random, so a viral link spreads
over them) and the event. The client's address is only ever kept as an HMAC keyed with the day's random
salt, which is deleted after two days.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import time
from collections.abc import Callable

from fashionos.affiliates.bots import is_bot
from fashionos.affiliates.records import CODE_PATTERN, Click, ShortCode, day_of
from fashionos.affiliates.store import AffiliateStore
from fashionos.errors import RateLimited
from fashionos.events.models import NewEvent
from fashionos.events.outbox import Outbox
from fashionos.ids import prefixed_id
from fashionos.observability import logger
from fashionos.ratelimit import RateLimiter

SALT_BYTES = 32


class ClickService:
    def __init__(
        self,
        store: AffiliateStore,
        outbox: Outbox,
        limiter: RateLimiter,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._limiter = limiter
        self._clock = clock
        self._salts: dict[str, bytes] = {}  # the day's, once per container and day

    def follow(self, code: str, ip: str, user_agent: str | None, *, count: bool) -> str | None:
        """Where the short code sends this visitor (None: nowhere, it is unknown, disabled or expired);
        with ``count``, the click is recorded and its id added. ``RateLimited`` past the address's limit."""
        now = self._clock()
        ip_hash = self._ip_hash(ip, now)
        window = self._limiter.count(f"redirect:{ip_hash}", now=now)
        if window.exceeded:
            raise RateLimited("Too many requests from this address", window.reset_after)
        short = self._store.code(code) if CODE_PATTERN.fullmatch(code) else None
        if short is None or not short.live(now):
            return None
        if not count:
            return short.location(None)
        try:
            click = self._record(short, ip_hash, user_agent, now)
        except Exception:  # the shopper still gets where the link goes, without a click id
            logger.exception("Click not recorded", link_id=short.link_id)
            return short.location(None)
        return short.location(click.click_id)

    def _record(self, short: ShortCode, ip_hash: str, user_agent: str | None, now: float) -> Click:
        bot = is_bot(user_agent)
        day = day_of(now)
        unique = not bot and self._store.first_visit(short.link_id, day, ip_hash)
        click = Click(
            click_id=prefixed_id("clk"),
            org_id=short.org_id,
            link_id=short.link_id,
            campaign=short.campaign,
            product_id=short.product_id,
            bot=bot,
            unique=unique,
            at=now,
            attribution_window_days=short.attribution_window_days,
            shards=short.shards,
            ip_hash=ip_hash,
        )
        counted = {"bot_clicks": 1} if bot else {"clicks": 1} | ({"unique_clicks": 1} if unique else {})
        shard = random.randrange(short.shards)  # noqa: S311 (spreads writes; not a secret)
        self._outbox.commit(
            short.org_id,
            [NewEvent("affiliate.click", click.public(), sole=True)],
            [self._store.put_click(click), self._store.count(short.link_id, shard, day, counted)],
        )
        return click

    def _ip_hash(self, ip: str, now: float) -> str:
        day = day_of(now)
        salt = self._salts.get(day)
        if salt is None:
            salt = self._store.salt(day, os.urandom(SALT_BYTES))
            self._salts = {day: salt}  # yesterday's is forgotten
        return hmac.new(salt, ip.encode(), hashlib.sha256).hexdigest()
