"""What the Integration API accepts (pydantic, strict) and the records usage metering works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fashionos.requestfields import INTEGRAL

MAX_COUNT = 1_000_000
MAX_PRODUCTS = 100_000_000

MAX_USER_ID_LENGTH = 128
USER_ID_PATTERN = rf"[A-Za-z0-9_.:@-]{{1,{MAX_USER_ID_LENGTH}}}"
UserId = Annotated[
    str,
    StringConstraints(pattern=rf"^{USER_ID_PATTERN}$"),
    Field(description=f"The Dashboard user's id: 1-{MAX_USER_ID_LENGTH} of A-Z a-z 0-9 _ . : @ -"),
]
ApiKeyString = Annotated[
    str, StringConstraints(min_length=1, max_length=256), Field(description="The user's API key")
]
Count = Annotated[int, Field(ge=1, le=MAX_COUNT, description="How many to add"), INTEGRAL]
TryOnType = Literal["AR", "AI"]


class _IntegrationRequest(BaseModel):
    # strict: a JSON integer is an int (3.0 too: INTEGRAL), and nothing else is (not true, 1.5 or "5").
    # defer_build: a function builds only the validator of the model it uses, when it first uses it.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    # Checked before the model is built (a wrong one is 401); declared so that it is not an unknown field.
    handshake: Annotated[
        str,
        Field(
            min_length=1, description="The shared handshake token (the secret this API and its caller share)"
        ),
    ]


class TryOnUsageIncrease(_IntegrationRequest):
    """Counts try-ons for a user: the one ``user_id`` names, or the owner of ``api_key`` (which must then be
    that user, if both are given)."""

    # What _user_or_key requires, stated in the schema: user_id or api_key, and not null.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["user_id"], "properties": {"user_id": {"type": "string"}}},
                {"required": ["api_key"], "properties": {"api_key": {"type": "string"}}},
            ]
        }
    )

    type: Annotated[TryOnType, Field(description="Which try-on counter: AR or AI")]
    count: Count
    user_id: UserId | None = None
    api_key: ApiKeyString | None = None

    @model_validator(mode="after")
    def _user_or_key(self) -> TryOnUsageIncrease:
        if self.user_id is None and self.api_key is None:
            raise ValueError("at least one of user_id or api_key is required")
        return self


class ApiKeyUsageIncrease(_IntegrationRequest):
    """Counts calls made with an API key, for the key and its owner (``user_id``, if given, must be it)."""

    api_key: ApiKeyString
    count: Count
    user_id: UserId | None = None


class ProductNumberSet(_IntegrationRequest):
    """Sets how many products a user has."""

    user_id: UserId
    value: Annotated[int, Field(ge=0, le=MAX_PRODUCTS, description="The user's product count"), INTEGRAL]


# The counters of one user in one period. Per-key counters live in the same item, so a request that moves
# the user's counter and the key's moves both in one atomic UpdateItem.
Counter = Literal["ar_tryons", "ai_tryons", "api_calls"]
COUNTERS: tuple[Counter, ...] = ("ar_tryons", "ai_tryons", "api_calls")
TRYON_COUNTER: dict[TryOnType, Counter] = {"AR": "ar_tryons", "AI": "ai_tryons"}


def key_counter(key_id: str, counter: Counter) -> str:
    return f"key_{key_id}_{counter}"


@dataclass(frozen=True, slots=True)
class PlanLimits:
    """Per-period soft limits; ``None`` means unlimited."""

    ar_tryons: int | None = None
    ai_tryons: int | None = None
    api_calls: int | None = None
    products: int | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    limits: PlanLimits


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    plan: str
    created_at: str
    product_count: int | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    user_id: str
    key_hash: str
    active: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class UsageResult:
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class KeyUsage:
    key_id: str
    ar_tryons: int
    ai_tryons: int
    api_calls: int


@dataclass(frozen=True, slots=True)
class UsageReport:
    user_id: str
    plan: Plan | None
    period: str
    period_totals: dict[str, int]
    lifetime_totals: dict[str, int]
    product_count: int | None
    keys: list[KeyUsage]
