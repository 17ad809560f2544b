"""What a partner may send to the commerce routes (pydantic, strict, unknown fields refused: Stripe's rule).

Imported by the routes that parse a body only; GET routes never load pydantic.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

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
from fashionos.requestfields import INTEGRAL

# Every rule a model enforces is in its JSON schema: the OpenAPI documents show it, and schemathesis makes
# requests from it. Each pattern means the same in pydantic (Rust's regex), Python's ``re`` and ECMA-262, so
# the whitespace a string must not hold is spelled out: ``\s`` is a different set in each of the three.
# Unicode White_Space (what pydantic's ``\s`` matches):
WHITE_SPACE = r"\t-\r\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# What ``str.isspace`` is true of: White_Space, and the separators U+001C-U+001F.
IS_SPACE = r"\x1c-\x1f" + WHITE_SPACE
MAX_URL_LENGTH = 2048
IMAGE_URL_PATTERN = f"^https://[^{IS_SPACE}]*$"
EMAIL_PATTERN = f"^[^@{WHITE_SPACE}]{{1,64}}@[^@{WHITE_SPACE}]{{1,255}}$"

Handle = Annotated[str, StringConstraints(pattern=r"^@[A-Za-z0-9_.]{3,30}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=5000)]
Sku = Annotated[str, StringConstraints(pattern=f"^{SKU_PATTERN}$")]

MinorUnits = Annotated[int, Field(ge=0, le=10**12), INTEGRAL]


def _currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError("must be an ISO 4217 currency code (e.g. EUR)")
    return code


# The schema's enum is CURRENCIES; the check keeps its message (pydantic's for an enum lists every code).
Currency = Annotated[str, AfterValidator(_currency), Field(json_schema_extra={"enum": sorted(CURRENCIES)})]
# An https:// URL of at most 2048 characters, with no whitespace (``str.isspace``) anywhere.
ImageUrl = Annotated[str, StringConstraints(max_length=MAX_URL_LENGTH, pattern=IMAGE_URL_PATTERN)]
AttributeValue = Annotated[str, StringConstraints(max_length=500)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class StorefrontCreate(_Request):
    handle: Handle
    name: Name
    description: Description | None = None
    currency: Currency
    visibility: Visibility


def _no_default(schema: JsonDict) -> None:
    """A field that may be left out but not sent as null: its schema has no ``null`` (nor a null default)."""
    schema.pop("default", None)


class StorefrontUpdate(_Request):
    """PATCH: only the fields given change (the handle and the currency never do); ``description: null``
    removes the description, the other fields cannot be null."""

    name: Name | SkipJsonSchema[None] = Field(None, json_schema_extra=_no_default)
    description: Description | None = None
    visibility: Visibility | SkipJsonSchema[None] = Field(None, json_schema_extra=_no_default)
    status: StorefrontStatus | SkipJsonSchema[None] = Field(None, json_schema_extra=_no_default)

    @field_validator("name", "visibility", "status", mode="after")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # only an explicit null is validated: a field not sent keeps its default
            raise ValueError("must not be null")
        return value


class Price(_Request):
    amount: MinorUnits  # integer minor units (cents)
    currency: Currency


class VariantInput(_Request):
    """A variant of the listing (its own sku, sold and stocked on its own)."""

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
    variants: Annotated[list[VariantInput], Field(max_length=MAX_VARIANTS)] = []
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
    on_hand: Annotated[int, Field(ge=0, le=10**9), INTEGRAL]
    expected_on_hand: Annotated[int, Field(ge=0, le=10**9), INTEGRAL] | None = None


class InventoryAdjustment(_Request):
    delta: Annotated[int, Field(ge=-(10**9), le=10**9, json_schema_extra={"not": {"const": 0}}), INTEGRAL]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]

    @field_validator("delta", mode="after")
    @classmethod
    def _moves(cls, delta: int) -> int:
        if delta == 0:
            raise ValueError("must not be 0")
        return delta


class OrderLineInput(_Request):
    """A line of a new order: a sellable sku and how many."""

    sku: Sku
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY), INTEGRAL]


class CustomerInput(_Request):
    """The shopper: the order keeps the fields given (a null one is as if left out)."""

    email: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN)] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None


class OrderCreate(_Request):
    storefront_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    lines: Annotated[list[OrderLineInput], Field(min_length=1, max_length=MAX_LINES)]
    customer: CustomerInput | None = None
    affiliate_click_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
