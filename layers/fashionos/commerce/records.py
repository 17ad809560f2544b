"""Commerce records as we keep them, and their public form (what the API answers and events carry)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Protocol

from fashionos.commerce import views
from fashionos.commerce.views import AdjustmentType as AdjustmentType
from fashionos.commerce.views import OrderStatus as OrderStatus
from fashionos.commerce.views import ProductStatus as ProductStatus
from fashionos.commerce.views import StorefrontStatus as StorefrontStatus
from fashionos.commerce.views import Visibility as Visibility

MAX_LINES: Final = 50
MAX_QUANTITY: Final = 1000
MAX_VARIANTS: Final = 100
SKU_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"  # the partner's own; URL-path safe

# ISO 4217 active codes (2024), minus funds and precious metals.
CURRENCIES: Final = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWG""".split()  # noqa: SIM905 (a table to read, not a list to edit)
)


def money(amount: int, currency: str) -> views.Money:
    return {"amount": amount, "currency": currency}


@dataclass(frozen=True, slots=True)
class Storefront:
    storefront_id: str
    org_id: str
    handle: str
    name: str
    description: str | None
    currency: str
    visibility: Visibility
    status: StorefrontStatus
    products_count: int
    created_at: str
    updated_at: str
    version: int = 1

    def public(self) -> views.Storefront:
        return {
            "id": self.storefront_id,
            "handle": self.handle,
            "name": self.name,
            "description": self.description,
            "currency": self.currency,
            "visibility": self.visibility,
            "status": self.status,
            "products_count": self.products_count,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class Variant:
    sku: str
    size: str | None = None
    color: str | None = None
    price: int | None = None  # minor units in the storefront's currency; the product's when None


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    storefront_id: str
    sku: str
    title: str
    description: str | None
    price: int
    currency: str
    images: tuple[str, ...]
    variants: tuple[Variant, ...]
    status: ProductStatus
    attributes: tuple[tuple[str, str], ...]
    version: int
    created_at: str
    updated_at: str

    @property
    def sellable_skus(self) -> tuple[str, ...]:
        """One inventory item per sellable sku: each variant, or the product itself when it has none."""
        return tuple(v.sku for v in self.variants) if self.variants else (self.sku,)

    def unit_price(self, sku: str) -> int:
        variant = next((v for v in self.variants if v.sku == sku), None)
        return self.price if variant is None or variant.price is None else variant.price

    def same_listing(self, other: Product) -> bool:
        """Whether ``other`` lists the same thing (ids, versions and times aside)."""
        fields = ("sku", "title", "description", "price", "currency", "images", "variants", "status")
        same = all(getattr(self, name) == getattr(other, name) for name in fields)
        return same and dict(self.attributes) == dict(other.attributes)

    def public(self) -> views.Product:
        return {
            "id": self.product_id,
            "storefront_id": self.storefront_id,
            "sku": self.sku,
            "title": self.title,
            "description": self.description,
            "price": money(self.price, self.currency),
            "images": list(self.images),
            "variants": [
                {
                    "sku": v.sku,
                    "size": v.size,
                    "color": v.color,
                    "price": money(self.unit_price(v.sku), self.currency),
                }
                for v in self.variants
            ],
            "status": self.status,
            "attributes": dict(self.attributes),
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class InventoryItem:
    storefront_id: str
    sku: str
    product_id: str
    on_hand: int
    reserved: int
    updated_at: str
    sellable: bool = True

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def public(self) -> views.InventoryItem:
        return {
            "storefront_id": self.storefront_id,
            "sku": self.sku,
            "product_id": self.product_id,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change of a sku's stock: ``on_hand`` and ``reserved`` moved by these deltas."""

    adjustment_id: str
    storefront_id: str
    sku: str
    type: AdjustmentType
    on_hand_delta: int
    reserved_delta: int
    reason: str
    actor: str  # the client (or sandbox key) whose request made it
    created_at: str
    order_id: str | None = None

    def public(self) -> views.Adjustment:
        return {
            "id": self.adjustment_id,
            "storefront_id": self.storefront_id,
            "sku": self.sku,
            "type": self.type,
            "delta": self.on_hand_delta - self.reserved_delta,  # what it did to ``available``
            "on_hand_delta": self.on_hand_delta,
            "reserved_delta": self.reserved_delta,
            "reason": self.reason,
            "actor": self.actor,
            "order_id": self.order_id,
            "created_at": self.created_at,
        }


class Line(Protocol):
    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> int: ...


def quantities(lines: Iterable[Line]) -> dict[str, int]:
    """Quantity per sku, lines with the same sku summed (in the order the skus first appear)."""
    summed: dict[str, int] = {}
    for line in lines:
        summed[line.sku] = summed.get(line.sku, 0) + line.quantity
    return summed


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    product_id: str
    quantity: int
    unit_price: int


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    org_id: str
    storefront_id: str
    status: OrderStatus
    currency: str
    lines: tuple[OrderLine, ...]
    created_at: str
    updated_at: str
    customer: dict[str, str] = field(default_factory=dict)
    affiliate_click_id: str | None = None
    customer_erased_at: str | None = None  # when the shopper's personal data was erased (GDPR)
    # The idempotency records (their keys) whose stored responses show this order: its creation, its
    # fulfilment or cancellation; erasing the customer rewrites them too.
    replays: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(line.unit_price * line.quantity for line in self.lines)

    def quantities(self) -> dict[str, int]:
        return quantities(self.lines)

    def public(self) -> views.Order:
        return {
            "id": self.order_id,
            "storefront_id": self.storefront_id,
            "status": self.status,
            "lines": [
                {
                    "sku": line.sku,
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "unit_price": money(line.unit_price, self.currency),
                    "amount": money(line.unit_price * line.quantity, self.currency),
                }
                for line in self.lines
            ],
            "total": money(self.total, self.currency),
            "customer": views.Customer(**self.customer) if self.customer else None,  # type: ignore[typeddict-item]
            "affiliate_click_id": self.affiliate_click_id,
            "customer_erased_at": self.customer_erased_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
