"""Affiliate links: a short code that redirects to a page of one of the org's registered domains (never
anywhere else), with the UTM parameters it was made with, and their stats.

A link and its code's redirect record change in one transaction (so the redirect reads one item, and reads
the link as it is); stats are the link's counter shards, summed per day range.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from fashionos import retry
from fashionos.affiliates.errors import (
    ExpiryInPast,
    LinkNotFound,
    LinkVersionMismatch,
    ReservedQueryParameter,
)
from fashionos.affiliates.params import DATE
from fashionos.affiliates.records import (
    CLICK_PARAMETER,
    CODE_LENGTH,
    Link,
    Stats,
    Utm,
    query_names,
)
from fashionos.affiliates.store import AffiliateStore
from fashionos.commerce.errors import ProductNotFound
from fashionos.destinations import allowed_url
from fashionos.errors import Contended, InvalidCombination, InvalidRequest
from fashionos.idempotency import Claim, ConditionFailed
from fashionos.ids import checked_cursor, id_pattern, prefixed_id, random_token
from fashionos.times import parse_rfc3339, rfc3339

if TYPE_CHECKING:
    from fashionos.affiliates.requests import LinkCreate, LinkUpdate

LINK_ID = id_pattern("lnk")
_DATE = re.compile(DATE)
MAX_CODE_ATTEMPTS = 3  # a code is 59 random bits: a second draw is already a one-in-10^17 event
MAX_WRITE_ATTEMPTS = 5
LATEST_TIME = 253402300799  # 9999-12-31T23:59:59Z: the last time an RFC 3339 date-time can say
StatsRange = tuple[str | None, str | None]


def stats_range(first: str | None, last: str | None) -> StatsRange:
    """The ``from`` and ``to`` days of a stats read, checked (``InvalidRequest`` naming the parameter)."""
    for name, day in (("from", first), ("to", last)):
        if day is not None:
            try:
                valid = bool(_DATE.fullmatch(day)) and date.fromisoformat(day) is not None
            except ValueError:
                valid = False
            if not valid:
                raise InvalidRequest(f"{name} must be a day as YYYY-MM-DD (2026-01-31)")
    return first, last


class LinkService:
    def __init__(
        self,
        store: AffiliateStore,
        domains: Callable[[str], Iterable[str]],
        product_exists: Callable[[str, str], bool],
        shards: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._domains = domains  # the org's registered domains
        self._product_exists = product_exists  # whether a product id is one of the org's storefronts'
        self._shards = shards
        self._clock = clock

    def create(self, org_id: str, request: LinkCreate, claim: Claim[Link] | None = None) -> Link:
        now = self._clock()
        destination = self._destination(org_id, request.destination_url)
        utm = Utm(**request.utm.model_dump()) if request.utm else Utm()
        names = query_names(destination)
        if CLICK_PARAMETER in names:
            raise ReservedQueryParameter(
                f"destination_url: its query has {CLICK_PARAMETER}, which the redirect adds itself"
            )
        clashing = sorted(names & {name for name, _ in utm.parameters()})
        if clashing:
            raise InvalidCombination(
                f"utm: destination_url's query already has {', '.join(clashing)}; set it in one place"
            )
        expires_at = self._expiry(request.expires_at, now)
        if request.product_id is not None and not self._product_exists(org_id, request.product_id):
            raise ProductNotFound(f"Product {request.product_id} not found in the org's storefronts")
        created = rfc3339(now)
        for _ in range(MAX_CODE_ATTEMPTS):
            link = Link(
                link_id=prefixed_id("lnk"),
                org_id=org_id,
                code=random_token(CODE_LENGTH),
                destination_url=destination,
                product_id=request.product_id,
                campaign=request.campaign,
                utm=utm,
                attribution_window_days=request.attribution_window_days,
                expires_at=expires_at,
                status="active",
                shards=self._shards,
                version=1,
                created_at=created,
                updated_at=created,
            )
            try:
                self._store.transact(self._store.new_link(link), claim.item(link) if claim else None)
            except ConditionFailed as failed:
                if failed.index == 1:
                    continue  # the code is another link's: draw again
                raise
            return link
        raise Contended("Could not find a free short code; try again")

    def get(self, org_id: str, link_id: str, days: StatsRange = (None, None)) -> tuple[Link, Stats]:
        link = self._link(org_id, link_id)
        return link, self._store.stats([link], *days)[link.link_id]

    def page(
        self,
        org_id: str,
        campaign: str | None,
        days: StatsRange,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[tuple[Link, Stats]], bool]:
        links, more = self._store.links(org_id, campaign, limit, checked_cursor(LINK_ID, cursor))
        stats = self._store.stats(links, *days)
        return [(link, stats[link.link_id]) for link in links], more

    def update(
        self, org_id: str, link_id: str, request: LinkUpdate, if_match: int | None = None
    ) -> tuple[Link, Stats]:
        """Only the fields sent change; with ``if_match``, only a link still at that version."""
        fields = request.model_fields_set
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            link = self._link(org_id, link_id)
            if if_match is not None and if_match != link.version:
                raise LinkVersionMismatch(f"Link {link_id} is at version {link.version}, not {if_match}")
            now = self._clock()
            changed = replace(
                link,
                status=request.status if request.status is not None else link.status,
                campaign=request.campaign if "campaign" in fields else link.campaign,
                expires_at=self._expiry(request.expires_at, now)
                if "expires_at" in fields
                else link.expires_at,
            )
            if changed == link:
                break
            changed = replace(changed, version=link.version + 1, updated_at=rfc3339(now))
            try:
                self._store.transact(self._store.changed_link(link, changed))
            except (ConditionFailed, Contended):
                if if_match is not None:
                    raise LinkVersionMismatch(f"Link {link_id} changed meanwhile") from None
                continue
            link = changed
            break
        else:
            raise Contended(f"Link {link_id} is being changed by other requests; try again")
        return link, self._store.stats([link], None, None)[link.link_id]

    def _link(self, org_id: str, link_id: str) -> Link:
        link = self._store.link(org_id, link_id) if LINK_ID.fullmatch(link_id) else None
        if link is None:
            raise LinkNotFound(f"Link {link_id} not found")
        return link

    def _destination(self, org_id: str, url: str) -> str:
        """``url`` if it is on one of the org's domains (the request's schema has checked its form)."""
        return allowed_url(url, self._domains(org_id), "destination_url")

    @staticmethod
    def _expiry(expires_at: str | None, now: float) -> int | None:
        if expires_at is None:
            return None
        at = parse_rfc3339(expires_at)
        if at <= now:
            raise ExpiryInPast(f"expires_at: {expires_at} is not in the future")
        return min(math.ceil(at), LATEST_TIME)
