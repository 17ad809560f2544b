"""What a partner (and the try-on front end) may send to the try-on routes (pydantic, strict, unknown fields
refused). Imported by the routes that parse a body only."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fashionos.commerce.records import SKU_PATTERN
from fashionos.destinations import HTTPS_URL_PATTERN, MAX_URL_LENGTH
from fashionos.ids import ID_BODY
from fashionos.requestfields import INTEGRAL
from fashionos.tryon.records import LOCALE_PATTERN, Outcome, TryOnType

MAX_DURATION_MS = 24 * 3600 * 1000


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class SessionCreate(_Request):
    """Starts a try-on of one of the org's active listings (a variant of it, if it has them)."""

    product_id: Annotated[
        str,
        StringConstraints(pattern=f"^prd_{ID_BODY}$"),
        Field(description="An active listing of one of the caller's storefronts"),
    ]
    type: Annotated[TryOnType, Field(description="AR or AI try-on: the one the org's Dashboard counts")]
    variant_sku: Annotated[
        Annotated[str, StringConstraints(pattern=f"^{SKU_PATTERN}$")] | None,
        Field(description="One of the listing's variants (default: none chosen)"),
    ] = None
    return_url: Annotated[
        Annotated[str, StringConstraints(pattern=HTTPS_URL_PATTERN, max_length=MAX_URL_LENGTH)] | None,
        Field(description="Where the try-on sends the shopper back: https on one of the org's domains"),
    ] = None
    locale: Annotated[
        Annotated[str, StringConstraints(pattern=f"^{LOCALE_PATTERN}$")] | None,
        Field(description="The shopper's language (BCP 47: en, fr-FR)"),
    ] = None


class SessionComplete(_Request):
    """How the session ended, as the try-on front end saw it."""

    outcome: Annotated[Outcome, Field(description="completed: the shopper tried the product on")]
    duration_ms: Annotated[
        Annotated[int, Field(ge=0, le=MAX_DURATION_MS), INTEGRAL] | None,
        Field(description="How long the try-on ran, in milliseconds"),
    ] = None
