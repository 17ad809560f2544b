"""What a commerce function creates once per container, lazily: its services, on the commerce table and
(for the services that emit events) the outbox. Each factory imports its own service, so a route loads the
code of the resources it serves only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.percontainer import per_container
from fashionos.settings import commerce_settings

if TYPE_CHECKING:
    from fashionos.commerce.inventory import InventoryService
    from fashionos.commerce.orders import Attribution, OrderService
    from fashionos.commerce.products import ProductService
    from fashionos.events.outbox import Outbox


@per_container
def _store() -> CommerceStore:
    return CommerceStore(aws.dynamodb(), commerce_settings().commerce_table_name)


@per_container
def _outbox() -> Outbox:
    from fashionos.events.outbox import Outbox
    from fashionos.events.store import EventStore

    return Outbox(EventStore(aws.dynamodb(), commerce_settings().event_table_name))


@per_container
def storefront_service() -> StorefrontService:
    return StorefrontService(_store())


@per_container
def product_service() -> ProductService:
    from fashionos.commerce.products import ProductService

    return ProductService(_store(), storefront_service(), _outbox())


@per_container
def inventory_service() -> InventoryService:
    from fashionos.commerce.inventory import InventoryService

    return InventoryService(_store(), storefront_service())


@per_container
def order_service() -> OrderService:
    from fashionos.commerce.orders import OrderService

    return OrderService(_store(), storefront_service(), _outbox(), attribution=_attribution)


def _attribution() -> Attribution:
    """Orders convert affiliate clicks in their own transaction: the affiliates' code, loaded by the first
    order that names a click (the other order routes never load it)."""
    from fashionos.affiliates.container import conversion_service

    return conversion_service()
