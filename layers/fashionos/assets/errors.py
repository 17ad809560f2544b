"""Design Vault errors, by kind (each API maps kinds, never these classes)."""

from __future__ import annotations

from fashionos.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable


class AssetNotFound(NotFound):
    """No such asset the caller may see: another org's asset is one only while the caller holds a grant on
    it, and only for reading and downloading."""


class CollectionNotFound(NotFound):
    """No such collection in the caller's org (another org's id included)."""


class GrantNotFound(NotFound):
    """No such grant on that asset (or collection)."""


class AssetVersionMismatch(PreconditionFailed):
    """``If-Match`` names a version the asset no longer has."""

    code = "version_mismatch"


class AssetNotAvailable(Conflict):
    """The asset has no accepted file (yet): it is pending upload, rejected or expired."""

    code = "asset_not_available"


class GrantExceedsRights(Unprocessable):
    """A grant wider than the asset's own rights (a use, a territory, a later expiry)."""

    code = "grant_exceeds_rights"


class PartnerNotFound(Unprocessable):
    """The grant names no org (by id or handle), or the caller's own."""

    code = "partner_not_found"


class TooManyGrants(Conflict):
    """An asset or a collection holds at most ``MAX_GRANTS`` grants (revoke one first)."""

    code = "too_many_grants"


class GrantExpired(Forbidden):
    """Every grant the caller holds on the asset has expired."""

    code = "grant_expired"


class UsageNotGranted(Forbidden):
    """No live grant (or the asset's rights) covers the use asked for."""

    code = "usage_not_granted"


class TerritoryNotGranted(Forbidden):
    """No live grant (or the asset's rights) covers the territory asked for."""

    code = "territory_not_granted"


class RightsExpired(Forbidden):
    """The asset's own rights have expired: only its owner may still download it."""

    code = "rights_expired"
