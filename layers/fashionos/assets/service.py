"""The Design Vault's rules: declaring an asset and issuing its upload, collections, rights and their
history, grants to partners, publishing, and downloads.

Who sees what: an asset is its org's (every route); another org sees it only while it holds a live grant
on it (or on its collection), and then only reads it and downloads it within that grant. To anyone else it
does not exist (404, as an unknown id).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fashionos.assets.bucket import VaultBucket
from fashionos.assets.errors import (
    AssetNotAvailable,
    AssetNotFound,
    CollectionNotFound,
    GrantExceedsRights,
    GrantExpired,
    GrantNotFound,
    PartnerNotFound,
    RightsExpired,
    TerritoryNotGranted,
    TooManyGrants,
    UsageNotGranted,
)
from fashionos.assets.records import (
    DOWNLOAD_SECONDS,
    UPLOAD_SECONDS,
    Asset,
    Collection,
    Download,
    Grant,
    Rights,
    RightsChange,
    exceeds,
    object_key,
)
from fashionos.assets.store import AssetStore
from fashionos.assets.vocabulary import covers
from fashionos.errors import InvalidCombination, OrgNotFound
from fashionos.events.models import NewEvent
from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.idempotency import ConditionFailed
from fashionos.identity.partners import PartnerService
from fashionos.ids import checked_cursor, id_pattern, ulid
from fashionos.times import parse_rfc3339, rfc3339

if TYPE_CHECKING:
    from fashionos.assets import views
    from fashionos.assets.requests import (
        AssetCreate,
        AssetUpdate,
        CollectionCreate,
        DownloadCreate,
        GrantCreate,
        RightsInput,
    )
    from fashionos.idempotency import Claim

ASSET_ID = id_pattern("ast")
COLLECTION_ID = id_pattern("col")
GRANT_ID = id_pattern("grt")
CHANGE_ID = id_pattern("rch")
DOWNLOAD_ID = id_pattern("dl")
# Grants per asset and per collection: a publish notifies every holder (an event and its sequence counter
# each, for up to 2 x 20 partners) in the one transaction that publishes (DynamoDB: 100 items).
MAX_GRANTS = 20
# A grant on a collection announces its published assets (up to this many) in the grant's transaction.
MAX_ANNOUNCED = 45


@dataclass(frozen=True, slots=True)
class CreatedAsset:
    asset: Asset
    upload_url: str
    upload_fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class DownloadLink:
    url: str
    expires_at: str


def rights_of(request: RightsInput) -> Rights:
    return Rights(
        owner=request.owner,
        license=request.license,
        usage=tuple(request.usage),
        territories=tuple(request.territories),
        expires_at=request.expires_at,
        credit=request.credit,
    )


def _future(value: str | None, name: str, now: float) -> None:
    if value is not None and parse_rfc3339(value) <= now:
        raise InvalidCombination(f"{name} must be in the future")


class AssetService:
    def __init__(
        self,
        store: AssetStore,
        bucket: VaultBucket,
        partners: PartnerService,
        outbox: Outbox,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._bucket = bucket
        self._partners = partners
        self._outbox = outbox
        self._clock = clock

    # --- assets --------------------------------------------------------------------------------------
    def create(
        self, org_id: str, request: AssetCreate, actor: str, claim: Claim[CreatedAsset] | None = None
    ) -> CreatedAsset:
        now = self._clock()
        _future(request.rights.expires_at, "rights.expires_at", now)
        if request.collection_id is not None:
            self.collection(org_id, request.collection_id)
        asset_id, stamp = f"ast_{ulid(now)}", rfc3339(now)
        expires = int(now) + UPLOAD_SECONDS
        asset = Asset(
            asset_id=asset_id,
            org_id=org_id,
            title=request.title,
            filename=request.filename,
            content_type=request.content_type,
            size=request.size,
            sha256=request.sha256,
            status="pending_upload",
            rights=rights_of(request.rights),
            version=1,
            created_at=stamp,
            updated_at=stamp,
            upload_expires_epoch=expires,
            collection_id=request.collection_id,
        )
        form = self._bucket.upload_form(
            object_key(org_id, asset_id),
            asset_id,
            request.size,
            request.content_type,
            request.sha256,
            expires,
        )
        created = CreatedAsset(asset, form.url, form.fields)
        changes = [
            self._store.put_asset(asset),
            self._store.put_change(self._change(asset, None, actor, now)),
        ]
        if request.collection_id is not None:
            changes.append(self._store.collection_exists(org_id, request.collection_id))
        try:
            self._store.transact(changes, claim.item(created) if claim else None)
        except ConditionFailed:  # the collection was deleted meanwhile (the ids are new)
            raise CollectionNotFound("No such collection") from None
        return created

    def get(self, org_id: str, asset_id: str) -> Asset:
        """An asset of the org, or one another org granted it (live)."""
        asset, _ = self._visible(org_id, asset_id)
        return asset

    def owned(self, org_id: str, asset_id: str) -> Asset:
        asset = self._store.asset(org_id, asset_id) if ASSET_ID.fullmatch(asset_id) else None
        if asset is None:
            raise AssetNotFound("No such asset")
        return asset

    def page(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Asset], bool]:
        return self._store.assets_page(org_id, limit, checked_cursor(ASSET_ID, cursor))

    def shared_page(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Asset], bool]:
        """The assets other orgs granted the org (live grants on them or their collection), newest first."""
        after = checked_cursor(ASSET_ID, cursor)
        now = self._clock()
        found: dict[str, Asset] = {}  # by id: an asset granted twice is listed once
        granted: dict[str, set[str]] = {}  # the assets granted one by one, by owner: read after
        for grant in self._store.grants_held(org_id):
            if not grant.live(now):
                continue
            if grant.target_id.startswith("ast_"):
                granted.setdefault(grant.owner_org_id, set()).add(grant.target_id)
            else:
                found.update((a.asset_id, a) for a in self._store.collection_assets(grant.target_id))
        for owner, ids in granted.items():
            found.update((a.asset_id, a) for a in self._store.assets(owner, ids - found.keys()))
        found_assets = sorted(found.values(), key=lambda asset: asset.asset_id, reverse=True)
        if after is not None:
            found_assets = [asset for asset in found_assets if asset.asset_id < after]
        return found_assets[:limit], len(found_assets) > limit

    def update(
        self, org_id: str, asset_id: str, request: AssetUpdate, actor: str, version: int | None
    ) -> Asset:
        asset = self.owned(org_id, asset_id)
        if version is not None and version != asset.version:
            from fashionos.commerce.errors import VersionMismatch

            raise VersionMismatch(f"The asset is at version {asset.version}")
        now = self._clock()
        sent = request.model_fields_set
        title = request.title if "title" in sent and request.title is not None else asset.title
        collection_id = request.collection_id if "collection_id" in sent else asset.collection_id
        if collection_id is not None and collection_id != asset.collection_id:
            self.collection(org_id, collection_id)
        rights = asset.rights
        if "rights" in sent and request.rights is not None:
            _future(request.rights.expires_at, "rights.expires_at", now)
            rights = rights_of(request.rights)
        if (title, collection_id, rights) == (asset.title, asset.collection_id, asset.rights):
            return asset
        after = replace(
            asset,
            title=title,
            collection_id=collection_id,
            rights=rights,
            version=asset.version + 1,
            updated_at=rfc3339(now),
        )
        items = [self._store.update_asset(asset, after)]
        if rights != asset.rights:
            items.append(self._store.put_change(self._change(asset, rights, actor, now)))
        if after.collection_id is not None and after.collection_id != asset.collection_id:
            items.append(self._store.collection_exists(org_id, after.collection_id))
        try:
            self._store.transact(items, None)
        except ConditionFailed as failed:
            if failed.index == 0:
                from fashionos.commerce.errors import VersionMismatch

                raise VersionMismatch("The asset changed meanwhile; read it again") from None
            raise CollectionNotFound("No such collection") from None
        return after

    def delete(self, org_id: str, asset_id: str) -> None:
        """The file (every version), the asset, its grants, history and download records."""
        asset = self.owned(org_id, asset_id)
        self._bucket.delete_all(asset.key)
        grants = self._store.grants_on(org_id, asset_id)
        self._store.delete_keys(self._store.audit_keys(asset_id))
        items = [
            self._store.delete_asset(asset),
            *(self._store.delete_grant(org_id, g.target_id, g.grant_id, must_exist=False) for g in grants),
        ]
        try:
            self._store.transact(items, None)
        except ConditionFailed:  # changed meanwhile: again, from what it is now (deleted: 404)
            self.delete(org_id, asset_id)

    def history(
        self, org_id: str, asset_id: str, limit: int, cursor: str | None
    ) -> tuple[list[RightsChange], bool]:
        self.owned(org_id, asset_id)
        return self._store.changes_page(asset_id, limit, checked_cursor(CHANGE_ID, cursor))

    # --- publishing ----------------------------------------------------------------------------------
    def publish(self, org_id: str, asset_id: str) -> Asset:
        """``available`` -> ``published``: ``design.published`` to the org's subscribers and to those of
        every org holding a live grant on the asset or its collection. Publishing again changes nothing."""
        asset = self.owned(org_id, asset_id)
        if asset.status == "published":
            return asset
        if not asset.has_file:
            raise AssetNotAvailable(
                f"The asset is {asset.public_status()}: only an uploaded file is published"
            )
        now = self._clock()
        stamp = rfc3339(now)
        after = replace(
            asset, status="published", published_at=stamp, updated_at=stamp, version=asset.version + 1
        )
        grants = [g for g in self._grants_reaching(asset) if g.live(now)]
        events = [NewEvent("design.published", {**after.public(), "grant": None})]
        events += [self._published_to(after, grant) for grant in _one_per_partner(grants)]
        try:
            self._outbox.commit(org_id, events, [self._store.update_asset(asset, after)])
        except ChangeRejected:
            return self.publish(org_id, asset_id)  # changed meanwhile: again, from what it is now
        return after

    @staticmethod
    def _published_to(asset: Asset, grant: Grant) -> NewEvent:
        design: views.PublishedDesign = {**asset.public(), "grant": grant.public()}
        return NewEvent("design.published", design, org_id=grant.partner_org_id)

    # --- grants --------------------------------------------------------------------------------------
    def grant(
        self, org_id: str, target_id: str, request: GrantCreate, claim: Claim[Grant] | None = None
    ) -> Grant:
        """A grant on an asset or a collection (within the rights of the asset, or of each asset in the
        collection); on a published asset, the partner gets ``design.published`` then."""
        now = self._clock()
        partner = self._partner(org_id, request.partner)
        if target_id.startswith("ast_"):
            asset = self.owned(org_id, target_id)
            assets = [asset]
        else:
            self.collection(org_id, target_id)
            assets = self._store.collection_assets(target_id)
        _future(request.expires_at, "expires_at", now)
        expires_at = request.expires_at
        if expires_at is None:  # within the rights: until the earliest of the assets' rights' expiries
            expiries = [a.rights.expires_at for a in assets if a.rights.expires_at is not None]
            expires_at = min(expiries, key=parse_rfc3339) if expiries else None
        usage, territories = tuple(request.usage), tuple(request.territories)
        for asset in assets:
            if asset.rights.expired(now):
                raise GrantExceedsRights(f"{asset.asset_id}: its rights expired at {asset.rights.expires_at}")
            beyond = exceeds(asset.rights, usage, territories, expires_at)
            if beyond is not None:
                raise GrantExceedsRights(f"{asset.asset_id}: {beyond}")
        if len(self._store.grants_on(org_id, target_id)) >= MAX_GRANTS:
            raise TooManyGrants(f"At most {MAX_GRANTS} grants; revoke one first")
        grant = Grant(
            grant_id=f"grt_{ulid(now)}",
            owner_org_id=org_id,
            target_id=target_id,
            partner_org_id=partner,
            usage=usage,
            territories=territories,
            created_at=rfc3339(now),
            expires_at=expires_at,
        )
        published = [a for a in assets if a.status == "published"][:MAX_ANNOUNCED]
        claimed = claim.item(grant) if claim else None
        self._outbox.commit(
            org_id,
            [self._published_to(asset, grant) for asset in published],
            [self._store.put_grant(grant)],
            claim=(lambda _: claimed) if claimed else None,
        )
        return grant

    def grants(self, org_id: str, target_id: str) -> list[Grant]:
        self._target(org_id, target_id)
        return self._store.grants_on(org_id, target_id)

    def revoke(self, org_id: str, target_id: str, grant_id: str) -> None:
        self._target(org_id, target_id)
        if not GRANT_ID.fullmatch(grant_id):
            raise GrantNotFound("No such grant")
        try:  # the delete's own condition says whether there was one
            self._store.transact([self._store.delete_grant(org_id, target_id, grant_id)], None)
        except ConditionFailed:
            raise GrantNotFound("No such grant") from None

    # --- downloads -----------------------------------------------------------------------------------
    def download(self, org_id: str, asset_id: str, request: DownloadCreate, actor: str) -> DownloadLink:
        """A presigned GET of the file for its owner, or for a partner whose live grant covers the use and
        the territory (403 naming the condition that failed); every one is recorded."""
        asset, grants = self._visible(org_id, asset_id, live_only=False)
        now = self._clock()
        if grants is not None:
            self._check_grants(asset, grants, request.usage, request.territory, now)
        if not asset.has_file or asset.object_version is None:
            raise AssetNotAvailable(f"The asset is {asset.public_status()}: it has no file to download")
        self._store.record_download(
            Download(
                download_id=f"dl_{ulid(now)}",
                asset_id=asset_id,
                org_id=org_id,
                actor=actor,
                usage=request.usage,
                territory=request.territory,
                created_at=rfc3339(now),
            )
        )
        url = self._bucket.download_url(
            asset.key, asset.object_version, asset.filename, asset.content_type, DOWNLOAD_SECONDS
        )
        return DownloadLink(url, rfc3339(int(now) + DOWNLOAD_SECONDS))

    @staticmethod
    def _check_grants(asset: Asset, grants: Sequence[Grant], usage: str, territory: str, now: float) -> None:
        live = [g for g in grants if g.live(now)]
        if not live:
            raise GrantExpired("Your grant on this asset has expired")
        if asset.rights.expired(now):
            raise RightsExpired("The asset's rights have expired")
        if not any(usage in g.usage for g in live) or usage not in asset.rights.usage:
            raise UsageNotGranted(f"No live grant covers usage {usage}")
        if not any(usage in g.usage and covers(g.territories, (territory,)) for g in live) or not covers(
            asset.rights.territories, (territory,)
        ):
            raise TerritoryNotGranted(f"No live grant covers usage {usage} in territory {territory}")

    def downloads(
        self, org_id: str, asset_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Download], bool]:
        self.owned(org_id, asset_id)
        return self._store.downloads_page(asset_id, limit, checked_cursor(DOWNLOAD_ID, cursor))

    # --- collections ---------------------------------------------------------------------------------
    def create_collection(
        self, org_id: str, request: CollectionCreate, claim: Claim[Collection] | None = None
    ) -> Collection:
        stamp = rfc3339(self._clock())
        collection = Collection(
            collection_id=f"col_{ulid()}",
            org_id=org_id,
            name=request.name,
            created_at=stamp,
            updated_at=stamp,
            season=request.season,
            description=request.description,
        )
        self._store.transact(
            [self._store.put_collection(collection)], claim.item(collection) if claim else None
        )
        return collection

    def collection(self, org_id: str, collection_id: str) -> Collection:
        found = (
            self._store.collection(org_id, collection_id) if COLLECTION_ID.fullmatch(collection_id) else None
        )
        if found is None:
            raise CollectionNotFound("No such collection")
        return found

    def collection_assets(self, org_id: str, collection_id: str) -> tuple[Collection, list[Asset]]:
        collection = self.collection(org_id, collection_id)
        return collection, self._store.collection_assets(collection_id)

    def collections_page(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Collection], bool]:
        return self._store.collections_page(org_id, limit, checked_cursor(COLLECTION_ID, cursor))

    # --- helpers -------------------------------------------------------------------------------------
    def _visible(
        self, org_id: str, asset_id: str, *, live_only: bool = True
    ) -> tuple[Asset, list[Grant] | None]:
        """The asset and, for another org's, the grants the caller holds on it (None: its own). Another
        org's asset without a grant (or, with ``live_only``, a live one) is not found."""
        if not ASSET_ID.fullmatch(asset_id):
            raise AssetNotFound("No such asset")
        own = self._store.asset(org_id, asset_id)
        if own is not None:
            return own, None
        now = self._clock()
        held = self._store.grants_held(org_id)
        for grant in held:
            if grant.target_id == asset_id or grant.target_id.startswith("col_"):
                asset = self._store.asset(grant.owner_org_id, asset_id)
                if asset is None:
                    continue
                grants = [
                    g
                    for g in held
                    if g.owner_org_id == asset.org_id and g.target_id in (asset_id, asset.collection_id)
                ]
                if grants and (not live_only or any(g.live(now) for g in grants)):
                    return asset, grants
        raise AssetNotFound("No such asset")

    def _grants_reaching(self, asset: Asset) -> list[Grant]:
        grants = self._store.grants_on(asset.org_id, asset.asset_id)
        if asset.collection_id is not None:
            grants += self._store.grants_on(asset.org_id, asset.collection_id)
        return grants

    def _target(self, org_id: str, target_id: str) -> None:
        if target_id.startswith("ast_"):
            self.owned(org_id, target_id)
        else:
            self.collection(org_id, target_id)

    def _partner(self, org_id: str, partner: str) -> str:
        try:
            org = (
                self._partners.get_org(partner)
                if partner.startswith("org_")
                else self._partners.get_org_by_handle(partner.lower())
            )
        except OrgNotFound:
            raise PartnerNotFound(f"No org {partner}") from None
        if org.org_id == org_id:
            raise PartnerNotFound("A grant is for another org: the asset is already yours")
        return org.org_id

    def _change(self, asset: Asset, after: Rights | None, actor: str, now: float) -> RightsChange:
        """The record of ``asset``'s rights becoming ``after`` (None: its creation, with its rights)."""
        return RightsChange(
            change_id=f"rch_{ulid(now)}",
            asset_id=asset.asset_id,
            changed_by=actor,
            changed_at=rfc3339(now),
            before=None if after is None else asset.rights,
            after=asset.rights if after is None else after,
        )


def _one_per_partner(grants: Sequence[Grant]) -> list[Grant]:
    """The first grant of each partner (one event each)."""
    seen: dict[str, Grant] = {}
    for grant in grants:
        seen.setdefault(grant.partner_org_id, grant)
    return list(seen.values())
