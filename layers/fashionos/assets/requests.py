"""What a partner may send to the Design Vault routes (pydantic, strict, unknown fields refused). Imported by
the routes that parse a body only. What no schema can hold — a time that must be in the future, a grant
within the asset's rights, a partner that exists — the service checks and refuses with a 422."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from fashionos.assets.vocabulary import COUNTRIES, EVERYWHERE, MAX_SIZE, MIN_SIZE, ContentType, License, Usage
from fashionos.ids import ID_BODY
from fashionos.requestfields import INTEGRAL, DateTime

HANDLE = "@[A-Za-z0-9_]{2,30}"  # an org's handle, as identity.partners.HANDLE_PATTERN (any case)
_TERRITORIES = sorted(COUNTRIES)


def _lower(value: str) -> str:
    return value.lower()


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat an item")
    return values


def _territories(values: list[str]) -> list[str]:
    if EVERYWHERE in values and len(values) > 1:
        raise ValueError('"*" (worldwide) stands alone')
    return values


def _country(code: str) -> str:
    if code not in COUNTRIES:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


# The creator: a handle (``@studio_name``), shown on every read of the asset.
Handle = Annotated[str, StringConstraints(pattern=f"^{HANDLE}$"), AfterValidator(_lower)]
Territory = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "enum": _TERRITORIES, "description": "ISO 3166-1 alpha-2"}),
]
# ISO 3166-1 alpha-2 codes, each once; or ``["*"]`` alone: worldwide.
Territories = Annotated[
    list[Annotated[str, AfterValidator(lambda code: code if code == EVERYWHERE else _country(code))]],
    Field(min_length=1, max_length=len(_TERRITORIES)),
    AfterValidator(_unique),
    AfterValidator(_territories),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "enum": _TERRITORIES},
                    "minItems": 1,
                    "maxItems": len(_TERRITORIES),
                    "uniqueItems": True,
                },
                {
                    "type": "array",
                    "items": {"type": "string", "const": EVERYWHERE},
                    "minItems": 1,
                    "maxItems": 1,
                },
            ]
        }
    ),
]
Usages = Annotated[
    list[Usage], Field(min_length=1, json_schema_extra={"uniqueItems": True}), AfterValidator(_unique)
]
Sha256 = Annotated[str, StringConstraints(pattern="^[0-9A-Fa-f]{64}$"), AfterValidator(_lower)]
# Text shown to people: no control characters, nor the bidirectional overrides that make "gnp.exe" read
# as "exe.png".
_SHOWN = r"\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069"
# A file name as the partner knows it (downloads are named after it): no path either.
Filename = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=f"^[^/\\\\{_SHOWN}]+$")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=f"^[^{_SHOWN}]+$")]
CollectionId = Annotated[str, StringConstraints(pattern=f"^col_{ID_BODY}$")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


def _no_default(schema: JsonDict) -> None:
    """A field that may be left out but not sent as null: its schema has no ``null`` (nor a null default)."""
    schema.pop("default", None)


class RightsInput(_Request):
    """The asset's rights: its creator, licence, uses, territories and (optionally) until when."""

    owner: Annotated[Handle, Field(description="The creator's handle (@studio): IP stays creator owned")]
    license: License
    usage: Usages
    territories: Annotated[Territories, Field(description='ISO 3166-1 alpha-2 codes, or ["*"]: worldwide')]
    expires_at: DateTime | None = None
    credit: Title | None = None


class AssetCreate(_Request):
    """A new asset: what its file is (S3 will accept exactly this file) and its rights."""

    filename: Filename
    content_type: ContentType
    size: Annotated[int, Field(ge=MIN_SIZE, le=MAX_SIZE, description="Bytes (1 B - 5 GB)"), INTEGRAL]
    sha256: Annotated[Sha256, Field(description="The file's SHA-256, hex")]
    title: Title
    collection_id: CollectionId | None = None
    rights: RightsInput


class AssetUpdate(_Request):
    """PATCH: only the fields given change. ``rights`` replaces the rights whole (the change is recorded);
    ``collection_id: null`` takes the asset out of its collection."""

    title: Title | SkipJsonSchema[None] = Field(None, json_schema_extra=_no_default)
    collection_id: CollectionId | None = None
    rights: RightsInput | SkipJsonSchema[None] = Field(None, json_schema_extra=_no_default)

    @field_validator("title", "rights", mode="after")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # only an explicit null is validated: a field not sent keeps its default
            raise ValueError("must not be null")
        return value


class GrantCreate(_Request):
    """A partner's permission to download, within the asset's rights."""

    partner: Annotated[
        str,
        StringConstraints(pattern=f"^(org_{ID_BODY}|{HANDLE})$"),
        Field(description="The partner org: its id (org_...) or its handle (@brand)"),
    ]
    usage: Usages
    territories: Territories
    expires_at: Annotated[
        DateTime | None, Field(description="Default: the asset's rights' expiry (none: until revoked)")
    ] = None


class DownloadCreate(_Request):
    """What the file is downloaded for: a grant must cover both."""

    usage: Usage
    territory: Territory


class CollectionCreate(_Request):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=f"^[^{_SHOWN}]+$")]
    season: (
        Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=f"^[^{_SHOWN}]+$")] | None
    ) = None
    description: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None
