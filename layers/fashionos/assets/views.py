"""The Design Vault's objects as the API answers them and ``design.published`` carries them: each record's
``public()`` returns one of these (mypy holds the code to them) and the OpenAPI documents take their schemas
from them."""

from __future__ import annotations

from typing import Literal, TypedDict

from fashionos.assets.vocabulary import ContentType, License, Usage

# Stored: pending_upload -> available (the confirm function accepted the file) -> published, or rejected.
# ``expired``: a pending upload whose presigned POST ran out (computed on read).
AssetStatus = Literal["pending_upload", "available", "rejected", "published", "expired"]
GrantStatus = Literal["active", "expired"]


class Rights(TypedDict):
    """What may be done with an asset: its creator (``owner``, their handle: creator IP stays creator
    owned), the licence, the uses and territories (ISO 3166-1 alpha-2, or ``["*"]``: worldwide) and until
    when. No grant can exceed them."""

    owner: str
    license: License
    usage: list[Usage]
    territories: list[str]
    expires_at: str | None
    credit: str | None  # the credit line to show with it


class Upload(TypedDict):
    """A presigned POST: send a ``multipart/form-data`` POST to ``url`` with every one of ``fields`` and
    then the file as ``file`` (the last field), before ``expires_at``. S3 refuses a file of another size,
    type or SHA-256 than declared."""

    url: str
    fields: dict[str, str]
    expires_at: str


class Asset(TypedDict):
    """A Design Vault asset of ``org_id`` (the org that uploaded it). ``version`` is its ``ETag``."""

    id: str
    org_id: str
    title: str
    filename: str
    content_type: ContentType
    size: int
    sha256: str
    status: AssetStatus
    rejection_reason: str | None  # why the file was refused: size_mismatch, signature_mismatch, ...
    collection_id: str | None
    rights: Rights
    version: int
    created_at: str
    updated_at: str
    upload_expires_at: str
    uploaded_at: str | None
    published_at: str | None


class CreatedAsset(Asset):
    """The create response: the asset and where to upload its file (shown this once, and to a retry with
    the same ``Idempotency-Key``)."""

    upload: Upload


class Grant(TypedDict):
    """Permission for ``partner_org_id`` to download an asset (or every asset of a collection) for these
    uses, in these territories, until ``expires_at``, within the asset's own rights."""

    id: str
    asset_id: str | None
    collection_id: str | None
    partner_org_id: str
    usage: list[Usage]
    territories: list[str]
    expires_at: str | None
    status: GrantStatus
    created_at: str


class PublishedDesign(Asset):
    """What ``design.published`` carries: the asset, and for a partner the grant it holds (null for the
    owner's own subscribers)."""

    grant: Grant | None


class RightsChange(TypedDict):
    """One change of an asset's rights: who made it, when, and the rights before (null: the asset's
    creation) and after."""

    id: str
    changed_by: str
    changed_at: str
    before: Rights | None
    after: Rights


class Download(TypedDict):
    """One download link handed out: to whom (the org and its client), for what use, where."""

    id: str
    org_id: str
    actor: str
    usage: Usage
    territory: str
    created_at: str


class DownloadLink(TypedDict):
    """A presigned GET of the file (``Content-Disposition: attachment``), valid until ``expires_at``."""

    url: str
    expires_at: str


class Collection(TypedDict):
    id: str
    name: str
    season: str | None
    description: str | None
    created_at: str
    updated_at: str


class CollectionWithAssets(Collection):
    """A collection and every asset in it, newest first."""

    assets: list[Asset]


class GrantList(TypedDict):
    """Every grant on the asset (or collection), oldest first."""

    data: list[Grant]
