"""What an export holds beyond the API's own objects (those are each area's views): the org's profile, its
credentials without any secret, the asset records that name their asset, and the manifest."""

from __future__ import annotations

from typing import Literal, TypedDict

from fashionos.assets.views import Download, RightsChange


class Profile(TypedDict):
    """The org (``profile.json``)."""

    id: str
    object: Literal["org"]
    handle: str
    display_name: str | None
    twin_active: bool
    user_id: str  # its Dashboard user: /v1/me's ``id``
    tryon_types: list[str]
    created_at: str


class Client(TypedDict):
    """An OAuth client of the org (``clients.json``): never its secret, nor any hash of one."""

    id: str
    scopes: list[str]
    grant_types: list[str]
    status: str
    rate_tier: str
    created_at: str


class SandboxKey(TypedDict):
    """A sandbox API key of the org (``sandbox_keys.json``): never the key, nor its hash."""

    id: str
    scopes: list[str]
    active: bool
    created_at: str


class AssetRightsChange(RightsChange):
    asset_id: str


class AssetDownload(Download):
    asset_id: str


class Manifest(TypedDict):
    """``manifest.json``: what the zip holds (``files``: records per file; ``assets/``: files)."""

    format_version: int
    org_id: str
    generated_at: str
    files: dict[str, int]
