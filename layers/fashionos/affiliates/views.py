"""The affiliate objects as the API answers them and events carry them: each record's ``public()`` returns
one of these (mypy holds the code to them) and the OpenAPI documents take their schemas from them."""

from __future__ import annotations

from typing import Literal, TypedDict

from fashionos.commerce.views import Money

LinkStatus = Literal["active", "disabled"]


class Domain(TypedDict):
    """A web domain of the org: links may send shoppers to it and to its subdomains, over https."""

    domain: str
    created_at: str


class DomainList(TypedDict):
    """Every domain the org registered, alphabetically."""

    data: list[Domain]


class Utm(TypedDict):
    """The UTM parameters the redirect adds to the destination (those given)."""

    source: str | None
    medium: str | None
    campaign: str | None


class LinkStats(TypedDict):
    """A link's performance over the days asked for (every day by default). ``clicks`` are people's;
    link-preview bots and crawlers are counted apart, as ``bot_clicks``. ``unique_clicks`` counts each
    visitor once a day; ``revenue`` is the conversions' amounts, per currency, in minor units;
    ``conversion_rate`` is ``conversions / clicks`` (0 without clicks)."""

    clicks: int
    unique_clicks: int
    bot_clicks: int
    conversions: int
    revenue: list[Money]
    conversion_rate: float


class Link(TypedDict):
    """An affiliate link: ``short_url`` redirects to ``destination_url`` with the UTM parameters and a click
    id (``fos_click``) added, while it is ``active`` and not past ``expires_at``. ``version`` is its
    ``ETag``."""

    id: str
    code: str
    short_url: str
    destination_url: str
    product_id: str | None
    campaign: str | None
    utm: Utm
    attribution_window_days: int
    expires_at: str | None
    status: LinkStatus
    version: int
    created_at: str
    updated_at: str
    stats: LinkStats


class Click(TypedDict):
    """One GET of a short link (``affiliate.click`` carries it): ``bot`` for a link-preview bot or crawler,
    ``unique`` for the visitor's first click on the link that day. A conversion names it by ``id`` until
    ``attribution_expires_at``."""

    id: str
    link_id: str
    campaign: str | None
    product_id: str | None
    bot: bool
    unique: bool
    created_at: str
    attribution_expires_at: str


class Conversion(TypedDict):
    """A sale attributed to a click (``affiliate.conversion`` carries it); one per click and order."""

    id: str
    click_id: str
    link_id: str
    order_id: str | None
    amount: Money
    occurred_at: str
    created_at: str
