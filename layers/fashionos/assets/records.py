"""Design Vault records as we keep them, their public forms, and the one rule of rights: what a grant (or a
download) may ask for is within what the asset's rights give."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final, Literal

from fashionos.assets import views
from fashionos.assets.vocabulary import covers
from fashionos.times import parse_rfc3339, rfc3339

UPLOAD_SECONDS: Final = 15 * 60  # a presigned POST's life
DOWNLOAD_SECONDS: Final = 5 * 60  # a presigned GET's
StoredStatus = Literal["pending_upload", "available", "rejected", "published"]
# The one object of an asset: the API chooses the key, never the partner.
OBJECT_NAME: Final = "file"


def org_prefix(org_id: str) -> str:
    """Where every object of the org lives in the bucket."""
    return f"orgs/{org_id}/"


def object_key(org_id: str, asset_id: str) -> str:
    return f"{org_prefix(org_id)}assets/{asset_id}/{OBJECT_NAME}"


@dataclass(frozen=True, slots=True)
class Rights:
    owner: str
    license: str
    usage: tuple[str, ...]
    territories: tuple[str, ...]
    expires_at: str | None = None
    credit: str | None = None

    def public(self) -> views.Rights:
        return {
            "owner": self.owner,
            "license": self.license,  # type: ignore[typeddict-item]
            "usage": list(self.usage),  # type: ignore[arg-type]
            "territories": list(self.territories),
            "expires_at": self.expires_at,
            "credit": self.credit,
        }

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and parse_rfc3339(self.expires_at) <= now


def exceeds(
    rights: Rights, usage: tuple[str, ...], territories: tuple[str, ...], expires_at: str | None
) -> str | None:
    """What of a grant's ``usage``, ``territories`` and ``expires_at`` the asset's ``rights`` do not give
    (a sentence for the 422), or None."""
    beyond = [u for u in usage if u not in rights.usage]
    if beyond:
        return f"usage {beyond[0]} is not in the asset's rights ({', '.join(rights.usage)})"
    if not covers(rights.territories, territories):
        outside = [t for t in territories if not covers(rights.territories, (t,))]
        return f"territory {outside[0]} is not in the asset's rights ({', '.join(rights.territories)})"
    if rights.expires_at is not None and (
        expires_at is None or parse_rfc3339(expires_at) > parse_rfc3339(rights.expires_at)
    ):
        return f"expires_at must be at or before the asset's rights' ({rights.expires_at})"
    return None


@dataclass(frozen=True, slots=True)
class Asset:
    asset_id: str
    org_id: str
    title: str
    filename: str
    content_type: str
    size: int
    sha256: str  # hex, lower-case
    status: StoredStatus
    rights: Rights
    version: int
    created_at: str
    updated_at: str
    upload_expires_epoch: int
    collection_id: str | None = None
    rejection_reason: str | None = None
    object_version: str | None = None  # the S3 version the confirm function accepted
    uploaded_at: str | None = None
    published_at: str | None = None

    @property
    def key(self) -> str:
        return object_key(self.org_id, self.asset_id)

    def public_status(self, now: float | None = None) -> views.AssetStatus:
        if (
            self.status == "pending_upload"
            and (time.time() if now is None else now) >= self.upload_expires_epoch
        ):
            return "expired"
        return self.status

    @property
    def has_file(self) -> bool:
        """Its file was accepted: it can be downloaded and published."""
        return self.status in ("available", "published")

    def public(self) -> views.Asset:
        return {
            "id": self.asset_id,
            "org_id": self.org_id,
            "title": self.title,
            "filename": self.filename,
            "content_type": self.content_type,  # type: ignore[typeddict-item]
            "size": self.size,
            "sha256": self.sha256,
            "status": self.public_status(),
            "rejection_reason": self.rejection_reason,
            "collection_id": self.collection_id,
            "rights": self.rights.public(),
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "upload_expires_at": rfc3339(self.upload_expires_epoch),
            "uploaded_at": self.uploaded_at,
            "published_at": self.published_at,
        }


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str
    owner_org_id: str
    target_id: str  # ast_... or col_...
    partner_org_id: str
    usage: tuple[str, ...]
    territories: tuple[str, ...]
    created_at: str
    expires_at: str | None = None

    def live(self, now: float) -> bool:
        return self.expires_at is None or now < parse_rfc3339(self.expires_at)

    def public(self, now: float | None = None) -> views.Grant:
        on_asset = self.target_id.startswith("ast_")
        return {
            "id": self.grant_id,
            "asset_id": self.target_id if on_asset else None,
            "collection_id": None if on_asset else self.target_id,
            "partner_org_id": self.partner_org_id,
            "usage": list(self.usage),  # type: ignore[arg-type]
            "territories": list(self.territories),
            "expires_at": self.expires_at,
            "status": "active" if self.live(time.time() if now is None else now) else "expired",
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class Collection:
    collection_id: str
    org_id: str
    name: str
    created_at: str
    updated_at: str
    season: str | None = None
    description: str | None = None

    def public(self) -> views.Collection:
        return {
            "id": self.collection_id,
            "name": self.name,
            "season": self.season,
            "description": self.description,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class RightsChange:
    change_id: str
    asset_id: str
    changed_by: str
    changed_at: str
    before: Rights | None
    after: Rights

    def public(self) -> views.RightsChange:
        return {
            "id": self.change_id,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at,
            "before": self.before.public() if self.before else None,
            "after": self.after.public(),
        }


@dataclass(frozen=True, slots=True)
class Download:
    download_id: str
    asset_id: str
    org_id: str
    actor: str
    usage: str
    territory: str
    created_at: str

    def public(self) -> views.Download:
        return {
            "id": self.download_id,
            "org_id": self.org_id,
            "actor": self.actor,
            "usage": self.usage,  # type: ignore[typeddict-item]
            "territory": self.territory,
            "created_at": self.created_at,
        }
