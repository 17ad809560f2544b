"""What a partner may send to the affiliate routes (pydantic, strict, unknown fields refused: Stripe's rule).

Imported by the routes that parse a body only; GET routes (and the redirect) never load pydantic. Every rule
a model enforces is in its JSON schema; what no schema can hold, the services check and refuse with a 422:
a destination off the org's domains, a time that must be in the future, a click's attribution window.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from fashionos.affiliates.records import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from fashionos.commerce.requests import Currency, MinorUnits
from fashionos.destinations import (
    DOMAIN_PATTERN,
    HTTPS_URL_PATTERN,
    MAX_DOMAIN_LENGTH,
    MAX_URL_LENGTH,
    normalise_domain,
)
from fashionos.ids import ID_BODY
from fashionos.requestfields import INTEGRAL, DateTime

# A DNS name, any case (stored lower-cased): ``destinations.normalise_domain``'s rule.
DomainName = Annotated[
    str,
    StringConstraints(max_length=MAX_DOMAIN_LENGTH, pattern=DOMAIN_PATTERN),
    AfterValidator(normalise_domain),
]
# An absolute https:// URL of printable ASCII (``destinations.https_url``); whether its host is one of the
# org's is the service's to say (422).
DestinationUrl = Annotated[str, StringConstraints(max_length=MAX_URL_LENGTH, pattern=HTTPS_URL_PATTERN)]
Campaign = Annotated[str, StringConstraints(min_length=1, max_length=100)]
UtmValue = Annotated[str, StringConstraints(min_length=1, max_length=100)]
WindowDays = Annotated[int, Field(ge=MIN_WINDOW_DAYS, le=MAX_WINDOW_DAYS), INTEGRAL]
ProductId = Annotated[str, StringConstraints(pattern=f"^prd_{ID_BODY}$")]
# The partner's own order reference (ours, ord_..., or its shop's): printable ASCII without spaces.
OrderReference = Annotated[str, StringConstraints(pattern="^[\\x21-\\x7e]{1,64}$")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


def _no_default(schema: JsonDict) -> None:
    """A field that may be left out but not sent as null: its schema has no ``null`` (nor a null default)."""
    schema.pop("default", None)


class DomainAdd(_Request):
    """A web domain of the org (its subdomains come with it)."""

    domain: DomainName


class UtmInput(_Request):
    """UTM parameters for the redirect to add to the destination's query (a null one is as if left out)."""

    source: UtmValue | None = None
    medium: UtmValue | None = None
    campaign: UtmValue | None = None


class LinkCreate(_Request):
    """A new link to a page of one of the org's domains."""

    destination_url: DestinationUrl
    product_id: ProductId | None = None
    campaign: Campaign | None = None
    utm: UtmInput | None = None
    attribution_window_days: WindowDays = DEFAULT_WINDOW_DAYS
    expires_at: DateTime | None = None


class LinkUpdate(_Request):
    """PATCH: only the fields given change (the destination never does: make a new link); ``campaign:
    null`` and ``expires_at: null`` remove them, ``status`` cannot be null."""

    status: Literal["active", "disabled"] | SkipJsonSchema[None] = Field(None, json_schema_extra=_no_default)
    campaign: Campaign | None = None
    expires_at: DateTime | None = None

    @field_validator("status", mode="after")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # only an explicit null is validated: a field not sent keeps its default
            raise ValueError("must not be null")
        return value


class Amount(_Request):
    amount: MinorUnits  # integer minor units (cents)
    currency: Currency


class ConversionCreate(_Request):
    """A sale attributed to a click: ``click_id`` is the ``fos_click`` the redirect added."""

    click_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    order_id: OrderReference | None = None
    amount: Amount
    occurred_at: DateTime | None = None  # now when absent
