"""What a partner may send to the commerce routes (pydantic, strict, unknown fields refused: Stripe's rule).

Imported by the routes that parse a body only; GET routes never load pydantic.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fashionos.commerce.records import (
    CURRENCIES,
    MAX_LINES,
    MAX_QUANTITY,
    MAX_VARIANTS,
    SKU_PATTERN,
    ProductStatus,
    StorefrontStatus,
)
from fashionos.commerce.views import Visibility

Handle = Annotated[str, StringConstraints(pattern=r"^@[A-Za-z0-9_.]{3,30}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=5000)]
Sku = Annotated[str, StringConstraints(pattern=f"^{SKU_PATTERN}$")]

MinorUnits = Annotated[int, Field(ge=0, le=10**12)]


def _currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError("must be an ISO 4217 currency code (e.g. EUR)")
    return code


Currency = Annotated[str, AfterValidator(_currency)]


def _https_url(url: str) -> str:
    if not url.startswith("https://") or len(url) > 2048 or any(c.isspace() for c in url):
        raise ValueError("must be an https:// URL of at most 2048 characters")
    return url


ImageUrl = Annotated[str, AfterValidator(_https_url)]
AttributeValue = Annotated[str, StringConstraints(max_length=500)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class StorefrontCreate(_Request):
    handle: Handle
    name: Name
    description: Description | None = None
    currency: Currency
    visibility: Visibility


class StorefrontUpdate(_Request):
    """PATCH: only the fields given change (the handle and the currency never do); ``description: null``
    removes the description, the other fields cannot be null."""

    name: Name | None = None
    description: Description | None = None
    visibility: Visibility | None = None
    status: StorefrontStatus | None = None

    @model_validator(mode="after")
    def _not_null(self) -> StorefrontUpdate:
        for name in ("name", "visibility", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: must not be null")
        return self


class Price(_Request):
    amount: MinorUnits  # integer minor units (cents)
    currency: Currency


class Variant(_Request):
    sku: Sku
    size: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    color: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    price: Price | None = None  # the product's when absent


class ProductUpsert(_Request):
    """The whole listing: variants not sent are removed."""

    sku: Sku
    title: Name
    description: Description | None = None
    price: Price
    images: Annotated[list[ImageUrl], Field(max_length=10)] = []
    variants: Annotated[list[Variant], Field(max_length=MAX_VARIANTS)] = []
    status: ProductStatus
    attributes: Annotated[
        dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], AttributeValue],
        Field(max_length=50),
    ] = {}

    @model_validator(mode="after")
    def _skus_unique(self) -> ProductUpsert:
        skus = [self.sku, *(variant.sku for variant in self.variants)]
        if len(set(skus)) != len(skus):
            raise ValueError("variants: each sku (the product's and its variants') must be unique")
        return self


class InventorySet(_Request):
    on_hand: Annotated[int, Field(ge=0, le=10**9)]
    expected_on_hand: Annotated[int, Field(ge=0, le=10**9)] | None = None


class InventoryAdjustment(_Request):
    delta: Annotated[int, Field(ge=-(10**9), le=10**9)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _moves(self) -> InventoryAdjustment:
        if self.delta == 0:
            raise ValueError("delta: must not be 0")
        return self


class OrderLine(_Request):
    sku: Sku
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class Customer(_Request):
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None


class OrderCreate(_Request):
    storefront_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    lines: Annotated[list[OrderLine], Field(min_length=1, max_length=MAX_LINES)]
    customer: Customer | None = None
    affiliate_click_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
