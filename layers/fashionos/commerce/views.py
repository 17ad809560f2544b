"""The commerce objects as the API answers them and events carry them: each record's ``public()`` returns
one of these (mypy holds the code to them) and the OpenAPI documents take their schemas from them."""

from __future__ import annotations

from typing import Literal, TypedDict

StorefrontStatus = Literal["active", "paused", "archived"]
ProductStatus = Literal["draft", "active", "archived"]
OrderStatus = Literal["created", "fulfilled", "cancelled"]
AdjustmentType = Literal["set", "adjust", "reserve", "release", "fulfil"]
Visibility = Literal["public", "unlisted", "private"]


class Money(TypedDict):
    """An amount in minor units (cents) of an ISO 4217 currency."""

    amount: int
    currency: str


class Storefront(TypedDict):
    """A storefront of the org: its products are sold under it, priced in its currency."""

    id: str
    handle: str
    name: str
    description: str | None
    currency: str
    visibility: Visibility
    status: StorefrontStatus
    products_count: int
    created_at: str
    updated_at: str


class Variant(TypedDict):
    """A variant of a listing: its own sku and stock, at its own price or the listing's."""

    sku: str
    size: str | None
    color: str | None
    price: Money


class Product(TypedDict):
    """A listing of a storefront; ``version`` is its ``ETag`` (send it as ``If-Match`` to change it)."""

    id: str
    storefront_id: str
    sku: str
    title: str
    description: str | None
    price: Money
    images: list[str]
    variants: list[Variant]
    status: ProductStatus
    attributes: dict[str, str]
    version: int
    created_at: str
    updated_at: str


class InventoryItem(TypedDict):
    """One sellable sku's stock: ``available`` = ``on_hand`` - ``reserved`` (what orders can take)."""

    storefront_id: str
    sku: str
    product_id: str
    on_hand: int
    reserved: int
    available: int
    updated_at: str


class Adjustment(TypedDict):
    """One change of a sku's stock; ``delta`` is what it did to ``available``."""

    id: str
    storefront_id: str
    sku: str
    type: AdjustmentType
    delta: int
    on_hand_delta: int
    reserved_delta: int
    reason: str
    actor: str
    order_id: str | None
    created_at: str


class AdjustmentResult(Adjustment):
    """The adjustment, with the stock right after it."""

    inventory: InventoryItem


class OrderLine(TypedDict):
    """A line of an order: ``quantity`` of a sku at ``unit_price`` (the catalogue's when it was ordered);
    ``amount`` is their product."""

    sku: str
    product_id: str
    quantity: int
    unit_price: Money
    amount: Money


class Customer(TypedDict, total=False):
    """The shopper, as the order was created with it (only the fields given)."""

    email: str
    country: str


class Order(TypedDict):
    """An order: ``created`` reserves its stock, ``fulfilled`` takes it, ``cancelled`` releases it. Once
    its shopper's personal data is erased (``POST /v1/customers/erase``), ``customer`` is null and
    ``customer_erased_at`` says when."""

    id: str
    storefront_id: str
    status: OrderStatus
    lines: list[OrderLine]
    total: Money
    customer: Customer | None
    affiliate_click_id: str | None
    customer_erased_at: str | None
    created_at: str
    updated_at: str
