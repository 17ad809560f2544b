"""Affiliate records as we keep them, their public form, and the pure rules of links: the redirect's
``Location``, day buckets, stats summed from counter shards."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fashionos.affiliates import views
from fashionos.affiliates.views import LinkStatus as LinkStatus
from fashionos.commerce.views import Money
from fashionos.times import rfc3339

DAY_SECONDS: Final = 24 * 3600
CODE_LENGTH: Final = 10  # base62: 59 bits, unguessable and never enumerable
CODE_PATTERN: Final = re.compile(f"[A-Za-z0-9]{{{CODE_LENGTH}}}")
CLICK_PARAMETER: Final = "fos_click"
UTM_PARAMETERS: Final = (("source", "utm_source"), ("medium", "utm_medium"), ("campaign", "utm_campaign"))
MIN_WINDOW_DAYS: Final = 1
MAX_WINDOW_DAYS: Final = 90
DEFAULT_WINDOW_DAYS: Final = 30
# A click is kept this long past its attribution window (then TTL deletes it): a conversion reported a
# little late is refused as late (422), not as unknown (404).
CLICK_RETENTION_MARGIN_SECONDS: Final = 30 * DAY_SECONDS
COUNTERS: Final = ("clicks", "unique_clicks", "bot_clicks", "conversions")
REVENUE_PREFIX: Final = "revenue_"  # a counter per currency: revenue_EUR


def day_of(epoch_seconds: float) -> str:
    """The UTC day (``YYYY-MM-DD``) of a time: the bucket its counters go to."""
    return datetime.fromtimestamp(epoch_seconds, UTC).date().isoformat()


def with_query(url: str, parameters: Sequence[tuple[str, str]]) -> str:
    """``url`` with ``parameters`` appended to its query: its own parameters and its fragment are kept as
    they are, byte for byte (nothing is decoded and encoded again)."""
    if not parameters:
        return url
    base, hash_, fragment = url.partition("#")
    added = urlencode(parameters, quote_via=quote)
    separator = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return f"{base}{separator}{added}{hash_}{fragment}"


def query_names(url: str) -> set[str]:
    """The names of ``url``'s query parameters, decoded as a server reads them (``fos%5Fclick`` is
    ``fos_click``)."""
    return {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}


@dataclass(frozen=True, slots=True)
class Utm:
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None

    def parameters(self) -> list[tuple[str, str]]:
        """The query parameters they add, in a fixed order (those given)."""
        given = ((name, getattr(self, field)) for field, name in UTM_PARAMETERS)
        return [(name, value) for name, value in given if value is not None]

    def given(self) -> dict[str, str]:
        """The fields given, by name."""
        fields = {"source": self.source, "medium": self.medium, "campaign": self.campaign}
        return {name: value for name, value in fields.items() if value is not None}

    def public(self) -> views.Utm:
        return {"source": self.source, "medium": self.medium, "campaign": self.campaign}


@dataclass(frozen=True, slots=True)
class ShortCode:
    """What the redirect reads, in one GetItem: the code's link, denormalised (written with the link in one
    transaction whenever it changes). ``target`` is the destination with the UTM parameters added."""

    code: str
    org_id: str
    link_id: str
    target: str
    status: LinkStatus
    expires_at: int | None  # epoch seconds
    attribution_window_days: int
    shards: int
    campaign: str | None
    product_id: str | None

    def live(self, now: float) -> bool:
        return self.status == "active" and (self.expires_at is None or now < self.expires_at)

    def location(self, click_id: str | None) -> str:
        """Where the redirect sends the shopper: only ever the stored destination (with its UTM
        parameters and the click id), whatever the request to the short link carried."""
        return with_query(self.target, [(CLICK_PARAMETER, click_id)] if click_id else [])


@dataclass(frozen=True, slots=True)
class Link:
    link_id: str
    org_id: str
    code: str
    destination_url: str
    product_id: str | None
    campaign: str | None
    utm: Utm
    attribution_window_days: int
    expires_at: int | None  # epoch seconds
    status: LinkStatus
    shards: int  # its counters' write shards, fixed when it was created (reads sum them all)
    version: int
    created_at: str
    updated_at: str

    @property
    def target(self) -> str:
        return with_query(self.destination_url, self.utm.parameters())

    def short_code(self) -> ShortCode:
        return ShortCode(
            code=self.code,
            org_id=self.org_id,
            link_id=self.link_id,
            target=self.target,
            status=self.status,
            expires_at=self.expires_at,
            attribution_window_days=self.attribution_window_days,
            shards=self.shards,
            campaign=self.campaign,
            product_id=self.product_id,
        )

    def public(self, base_url: str, stats: Stats) -> views.Link:
        return {
            "id": self.link_id,
            "code": self.code,
            "short_url": f"{base_url}/r/{self.code}",
            "destination_url": self.destination_url,
            "product_id": self.product_id,
            "campaign": self.campaign,
            "utm": self.utm.public(),
            "attribution_window_days": self.attribution_window_days,
            "expires_at": rfc3339(self.expires_at) if self.expires_at is not None else None,
            "status": self.status,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "stats": stats.public(),
        }


@dataclass(frozen=True, slots=True)
class Click:
    click_id: str
    org_id: str
    link_id: str
    campaign: str | None
    product_id: str | None
    bot: bool
    unique: bool
    at: float  # epoch seconds
    attribution_window_days: int
    shards: int  # its link's: a conversion counts on one of them
    ip_hash: str  # keyed with the day's salt, never the address itself

    @property
    def attribution_ends(self) -> float:
        return self.at + self.attribution_window_days * DAY_SECONDS

    def public(self) -> views.Click:
        return {
            "id": self.click_id,
            "link_id": self.link_id,
            "campaign": self.campaign,
            "product_id": self.product_id,
            "bot": self.bot,
            "unique": self.unique,
            "created_at": rfc3339(self.at),
            "attribution_expires_at": rfc3339(self.attribution_ends),
        }


@dataclass(frozen=True, slots=True)
class Conversion:
    conversion_id: str
    org_id: str
    click_id: str
    link_id: str
    order_id: str | None
    amount: int
    currency: str
    occurred_at: str
    created_at: str

    def public(self) -> views.Conversion:
        return {
            "id": self.conversion_id,
            "click_id": self.click_id,
            "link_id": self.link_id,
            "order_id": self.order_id,
            "amount": Money(amount=self.amount, currency=self.currency),
            "occurred_at": self.occurred_at,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class Stats:
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    revenue: tuple[tuple[str, int], ...] = ()  # (currency, minor units), by currency

    def public(self) -> views.LinkStats:
        rate = round(self.conversions / self.clicks, 4) if self.clicks else 0.0
        return {
            "clicks": self.clicks,
            "unique_clicks": self.unique_clicks,
            "bot_clicks": self.bot_clicks,
            "conversions": self.conversions,
            "revenue": [Money(amount=amount, currency=currency) for currency, amount in self.revenue],
            "conversion_rate": rate,
        }


def summed(counters: Iterable[Mapping[str, int]]) -> Stats:
    """The stats of counter items (one per shard and day): each counter summed, revenue per currency."""
    totals = dict.fromkeys(COUNTERS, 0)
    revenue: dict[str, int] = {}
    for counter in counters:
        for name, value in counter.items():
            if name in totals:
                totals[name] += value
            elif name.startswith(REVENUE_PREFIX):
                currency = name.removeprefix(REVENUE_PREFIX)
                revenue[currency] = revenue.get(currency, 0) + value
    return Stats(**totals, revenue=tuple(sorted(revenue.items())))


def public_domain(domain: str, created_at: str) -> views.Domain:
    return {"domain": domain, "created_at": created_at}
