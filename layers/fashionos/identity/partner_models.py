"""Partner provisioning records (orgs, their OAuth clients, sandbox API keys) and the constants they obey."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

# Every scope a partner client may hold, and what it grants: the one list that provisioning validates
# against (and the OpenAPI documents describe).
SCOPES: Final[dict[str, str]] = {
    "profile:read": "Read the org's profile and what its credentials allow",
    "storefronts:read": "Read storefronts and their products",
    "storefronts:write": "Create and change storefronts",
    "products:write": "Create, change and archive products",
    "inventory:read": "Read stock levels and their history",
    "inventory:write": "Set and adjust stock",
    "orders:read": "Read orders",
    "orders:write": "Create, fulfil and cancel orders",
    "affiliates:read": "Read affiliate links and their performance",
    "affiliates:write": "Create and change affiliate links",
    "tryon:write": "Start virtual try-on sessions",
    "assets:read": "Read Design Vault assets (the org's and those granted to it) and download them",
    "assets:write": "Upload and manage Design Vault assets, their rights and grants",
    "webhooks:manage": "Manage webhook endpoints, read events and delivery logs, replay",
    "org:admin": "Export everything stored about the org, and erase a shopper's personal data",
}
KNOWN_SCOPES: Final = frozenset(SCOPES)

# Requests per minute per client ("Default 100 requests per minute per client. Burstable tiers ...").
DEFAULT_RATE_TIER: Final = "default"
RATE_TIERS: Final[dict[str, int]] = {DEFAULT_RATE_TIER: 100, "burst-1k": 1000, "burst-5k": 5000}

# The try-on types an org may be approved for (the Dashboard's AR and AI try-on counters).
TRYON_TYPES: Final = frozenset({"AR", "AI"})

GrantType = Literal["client_credentials"]
GRANT_TYPES: Final[frozenset[GrantType]] = frozenset({"client_credentials"})
ClientStatus = Literal["active", "revoked"]


@dataclass(frozen=True, slots=True)
class Org:
    org_id: str
    user_id: str  # the partner user ``usr_...`` that ``/v1/me`` shows as ``id``
    handle: str
    display_name: str | None
    twin_active: bool
    created_at: str
    # The try-on types (AR, AI) the org is approved for: POST /v1/tryon/sessions refuses the others.
    tryon_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Domain:
    """A web domain the org registered as its own: affiliate links may point at it (and its subdomains),
    try-on sessions may return to it."""

    domain: str
    org_id: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Client:
    """An OAuth 2.0 client. Only hashes of its secrets are kept; the secret is shown once."""

    client_id: str
    org_id: str
    scopes: frozenset[str]
    grant_types: frozenset[GrantType]
    status: ClientStatus
    rate_tier: str
    created_at: str
    secret_hash: str
    # After a rotation with a grace period, the replaced secret's hash authenticates until this epoch second.
    previous_secret_hash: str | None = None
    previous_secret_expires_at: int | None = None

    @property
    def requests_per_minute(self) -> int:
        return RATE_TIERS.get(self.rate_tier, RATE_TIERS[DEFAULT_RATE_TIER])


@dataclass(frozen=True, slots=True)
class SandboxKey:
    key_id: str
    org_id: str
    scopes: frozenset[str]
    key_hash: str
    active: bool
    created_at: str
