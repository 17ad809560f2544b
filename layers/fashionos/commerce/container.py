"""What a commerce function creates once per container, lazily: its services, on the commerce table and
(for the services that emit events) the outbox."""

from __future__ import annotations

from fashionos import aws
from fashionos.commerce.inventory import InventoryService
from fashionos.commerce.orders import OrderService
from fashionos.commerce.products import ProductService
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.events.outbox import Outbox
from fashionos.events.store import EventStore
from fashionos.percontainer import per_container
from fashionos.settings import commerce_settings


@per_container
def _store() -> CommerceStore:
    return CommerceStore(aws.dynamodb(), commerce_settings().commerce_table_name)


@per_container
def _outbox() -> Outbox:
    return Outbox(EventStore(aws.dynamodb(), commerce_settings().event_table_name))


@per_container
def storefront_service() -> StorefrontService:
    return StorefrontService(_store())


@per_container
def product_service() -> ProductService:
    return ProductService(_store(), storefront_service(), _outbox())


@per_container
def inventory_service() -> InventoryService:
    return InventoryService(_store(), storefront_service())


@per_container
def order_service() -> OrderService:
    return OrderService(_store(), storefront_service(), _outbox())
