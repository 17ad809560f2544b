"""What an affiliate function creates once per container, lazily: its service on the affiliate table, the
outbox, and what the service asks of other areas (the org's domains, its products). Each factory imports
its own service, so a route loads the code it runs only (the redirect: no identity, no commerce)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.affiliates.store import AffiliateStore
from fashionos.percontainer import per_container
from fashionos.settings import affiliate_settings

if TYPE_CHECKING:
    from fashionos.affiliates.clicks import ClickService
    from fashionos.affiliates.conversions import ConversionService
    from fashionos.affiliates.links import LinkService
    from fashionos.events.outbox import Outbox
    from fashionos.identity.partners import PartnerService


@per_container
def _store() -> AffiliateStore:
    return AffiliateStore(aws.dynamodb(), affiliate_settings().affiliate_table_name)


@per_container
def _outbox() -> Outbox:
    from fashionos.events.outbox import Outbox
    from fashionos.events.store import EventStore

    return Outbox(EventStore(aws.dynamodb(), affiliate_settings().event_table_name))


def domain_service() -> PartnerService:
    """The org's registered domains are the partner service's (the admin CLI registers them too)."""
    from fashionos.partner.container import partner_service

    return partner_service()


@per_container
def link_service() -> LinkService:
    from fashionos.affiliates.links import LinkService
    from fashionos.commerce.store import CommerceStore
    from fashionos.settings import commerce_settings

    products = CommerceStore(aws.dynamodb(), commerce_settings().commerce_table_name)
    return LinkService(
        _store(),
        domains=lambda org_id: [domain.domain for domain in domain_service().domains(org_id)],
        product_exists=lambda org_id, product_id: products.org_product(org_id, product_id) is not None,
        shards=affiliate_settings().click_shards,
    )


@per_container
def click_service() -> ClickService:
    from fashionos.affiliates.clicks import ClickService
    from fashionos.ratelimit import RateLimiter

    config = affiliate_settings()
    limiter = RateLimiter(
        aws.dynamodb(), config.affiliate_table_name, limit=config.redirect_rate_limit_per_minute
    )
    return ClickService(_store(), _outbox(), limiter)


@per_container
def conversion_service() -> ConversionService:
    """Also the attribution of orders (``fashionos.commerce.orders``): their conversions go in the order's
    transaction."""
    from fashionos.affiliates.conversions import ConversionService

    return ConversionService(_store(), _outbox())
