"""Try-on sessions as the API answers them and ``tryon.session.created`` carries them: ``Session.public()``
returns ``Session`` (mypy holds the code to it) and the OpenAPI documents take their schemas from these."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from fashionos.commerce.views import Money

TryOnType = Literal["AR", "AI"]
# ``expired``: an active session whose 15 minutes are over (computed on read; nothing moves it there).
SessionStatus = Literal["active", "completed", "abandoned", "revoked", "expired"]
Outcome = Literal["completed", "abandoned"]


class Session(TypedDict):
    id: str
    type: TryOnType
    product_id: str
    storefront_id: str
    variant_sku: str | None
    status: SessionStatus
    return_url: str | None
    locale: str | None
    duration_ms: int | None  # as the try-on front end reported it when the session ended
    created_at: str
    expires_at: str
    ended_at: str | None


class CreatedSession(Session):
    """The create response: the session with what launches it, shown this once (and to a retry with the
    same ``Idempotency-Key``)."""

    session_token: str  # an RS256 JWT (typ tryon+jwt, aud tryon) for the try-on front end, valid 15 minutes
    launch_url: (
        str  # the try-on app, the token in its fragment (never the query: it is not logged or sent on)
    )
    warnings: NotRequired[list[str]]  # "Usage limit exceeded for this period", as the Integration API says


class ExperienceVariant(TypedDict):
    sku: str
    size: str | None
    color: str | None
    price: Money


class ExperienceProduct(TypedDict):
    id: str
    title: str
    description: str | None
    images: list[str]
    price: Money


class ExperienceSession(TypedDict):
    id: str
    type: TryOnType
    status: SessionStatus
    return_url: str | None
    locale: str | None
    expires_at: str


class Experience(TypedDict):
    """What the try-on front end loads with its session token: the session, the product and the variant."""

    session: ExperienceSession
    product: ExperienceProduct
    variant: ExperienceVariant | None
