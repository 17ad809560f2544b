"""Partner provisioning rules: orgs and their handles, OAuth clients and their secrets, sandbox API keys.

Client secrets and sandbox keys are random, shown once, and stored only as SHA-256 hashes. A fast hash is
enough here, unlike for passwords: a secret carries ~285 bits of entropy (48 base62 characters), so nobody can
guess it from its hash however fast the hash is, and a slow KDF would only add milliseconds to every token
request. Hashes are compared in constant time.

The token endpoint is expected to compose the calls this way: ``failures_exceeded`` (refuse with
``Retry-After`` when it returns a number), then ``authenticate``; on ``InvalidClient``, ``record_failure``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable

from fashionos import aws
from fashionos.destinations import normalise_domain
from fashionos.errors import (
    ApiKeyNotFound,
    ClientNotFound,
    DomainNotFound,
    InvalidApiKey,
    InvalidClient,
    InvalidRequest,
    OrgNotFound,
)
from fashionos.identity.partner_models import (
    DEFAULT_RATE_TIER,
    GRANT_TYPES,
    KNOWN_SCOPES,
    RATE_TIERS,
    TRYON_TYPES,
    Client,
    Domain,
    Org,
    SandboxKey,
)
from fashionos.identity.partner_store import PartnerStore
from fashionos.ids import (
    hash_matches,
    new_prefixed_key,
    prefixed_id,
    prefixed_key_id,
    random_token,
    sha256_hex,
)
from fashionos.percontainer import per_container
from fashionos.times import rfc3339_now

HANDLE_PATTERN = re.compile(r"@[a-z0-9_]{2,30}")
MAX_DISPLAY_NAME_LENGTH = 100

CLIENT_ID_PREFIX = "cli_"
CLIENT_ID_LENGTH = 24
CLIENT_ID_PATTERN = re.compile(rf"{CLIENT_ID_PREFIX}[A-Za-z0-9]{{{CLIENT_ID_LENGTH}}}")
CLIENT_SECRET_PREFIX = "cs_"  # noqa: S105 (a prefix, not a secret)
CLIENT_SECRET_LENGTH = 48
MAX_SECRET_GRACE_SECONDS = 7 * 24 * 3600  # Stripe's longest overlap when rolling a key

# Sandbox keys: "sk_sandbox_" + public key id + secret, looked up by id (as the Integration API's keys).
SANDBOX_KEY_PREFIX = "sk_sandbox_"
SANDBOX_KEY_ID_LENGTH = 12
SANDBOX_KEY_SECRET_LENGTH = 32

# Failed client authentications: at most this many per client_id per fixed window.
MAX_AUTH_FAILURES = 10
AUTH_FAILURE_WINDOW_SECONDS = 300
# Compared against when there is nothing to compare, so an unknown client costs what a known one does.
_NO_HASH = sha256_hex("no such client")


def normalise_handle(handle: str) -> str:
    """``@YourBrand`` -> ``@yourbrand``; refuses anything but ``@`` and 2-30 of a-z 0-9 _."""
    normalised = handle.strip().lower()
    if not HANDLE_PATTERN.fullmatch(normalised):
        raise InvalidRequest("A handle is @ followed by 2-30 of a-z 0-9 _")
    return normalised


def validate_scopes(scopes: Iterable[str]) -> frozenset[str]:
    requested = frozenset(scopes)
    if not requested:
        raise InvalidRequest("At least one scope is required")
    unknown = sorted(requested - KNOWN_SCOPES)
    if unknown:
        raise InvalidRequest(f"Unknown scopes: {', '.join(unknown)}")
    return requested


# Longer than TokenVerifier's leeway (30 s): see revoke_token.
REVOCATION_MARGIN_SECONDS = 300


class PartnerService:
    def __init__(self, store: PartnerStore) -> None:
        self._store = store

    # --- orgs --------------------------------------------------------------------------------------
    def create_org(
        self,
        handle: str,
        display_name: str | None = None,
        twin_active: bool = False,
        user_id: str | None = None,
    ) -> Org:
        """A new org and the id of its Dashboard user (``user_id``: an existing one to link, else a new
        ``usr_`` id for the caller to create in the usage table); the handle must be free and the user no
        other org's (``AlreadyExists`` otherwise)."""
        if display_name is not None and not 1 <= len(display_name.strip()) <= MAX_DISPLAY_NAME_LENGTH:
            raise InvalidRequest(f"A display name is 1-{MAX_DISPLAY_NAME_LENGTH} characters")
        org = Org(
            org_id=prefixed_id("org"),
            user_id=user_id or prefixed_id("usr"),
            handle=normalise_handle(handle),
            display_name=display_name.strip() if display_name is not None else None,
            twin_active=twin_active,
            created_at=rfc3339_now(),
        )
        self._store.create_org(org)
        return org

    def get_org(self, org_id: str) -> Org:
        org = self._store.get_org(org_id)
        if org is None:
            raise OrgNotFound(f"Org {org_id} not found")
        return org

    def get_org_by_handle(self, handle: str) -> Org:
        org_id = self._store.get_org_id_by_handle(normalise_handle(handle))
        if org_id is None:
            raise OrgNotFound(f"No org has the handle {handle}")
        return self.get_org(org_id)

    def set_twin_active(self, org_id: str, active: bool) -> None:
        self._store.set_twin_active(org_id, active)

    def set_tryon_types(self, org_id: str, types: Iterable[str]) -> Org:
        """Approve the org for these try-on types (AR, AI) and no others."""
        approved = frozenset(types)
        unknown = sorted(approved - TRYON_TYPES)
        if unknown:
            raise InvalidRequest(f"Unknown try-on types: {', '.join(unknown)}; known: AI, AR")
        self._store.set_tryon_types(org_id, approved)
        return self.get_org(org_id)

    # --- domains -----------------------------------------------------------------------------------
    def add_domain(self, org_id: str, domain: str) -> tuple[Domain, bool]:
        """Register a web domain for the org; returns it and whether it is new (a repeat changes nothing)."""
        name = normalise_domain(domain)
        added = self._store.add_domain(Domain(name, org_id, rfc3339_now()))
        return next(d for d in self._store.domains(org_id) if d.domain == name), added

    def remove_domain(self, org_id: str, domain: str) -> None:
        if not self._store.remove_domain(org_id, normalise_domain(domain)):
            raise DomainNotFound(f"The org has no domain {domain}")

    def domains(self, org_id: str) -> list[Domain]:
        return self._store.domains(org_id)

    # --- OAuth clients -----------------------------------------------------------------------------
    def create_client(
        self, org_id: str, scopes: Iterable[str], rate_tier: str = DEFAULT_RATE_TIER
    ) -> tuple[Client, str]:
        """A new active client of ``org_id``: the record and its secret (shown this once, never stored)."""
        granted = validate_scopes(scopes)
        _require_tier(rate_tier)
        secret = _new_secret()
        client = Client(
            client_id=CLIENT_ID_PREFIX + random_token(CLIENT_ID_LENGTH),
            org_id=org_id,
            scopes=granted,
            grant_types=GRANT_TYPES,
            status="active",
            rate_tier=rate_tier,
            created_at=rfc3339_now(),
            secret_hash=sha256_hex(secret),
        )
        self._store.create_client(client)  # OrgNotFound unless the org exists
        return client, secret

    def authenticate(self, client_id: str, client_secret: str, now: float | None = None) -> Client:
        """The active client these credentials belong to, or ``InvalidClient`` (whatever the reason)."""
        now = time.time() if now is None else now
        client = self._store.get_client(client_id) if CLIENT_ID_PATTERN.fullmatch(client_id) else None
        current = hash_matches(client.secret_hash if client else _NO_HASH, client_secret)
        previous = False
        if client and client.previous_secret_hash and (client.previous_secret_expires_at or 0) > now:
            previous = hash_matches(client.previous_secret_hash, client_secret)
        if client is None or client.status != "active" or not (current or previous):
            raise InvalidClient("Client authentication failed")
        return client

    def rotate_secret(
        self, client_id: str, grace_seconds: int = 0, now: float | None = None
    ) -> tuple[Client, str]:
        """A new secret (shown once). With ``grace_seconds``, the secret it replaces keeps authenticating
        that long, so a partner can roll it out without downtime; a secret replaced earlier stops at once."""
        if not 0 <= grace_seconds <= MAX_SECRET_GRACE_SECONDS:
            raise InvalidRequest(f"A grace period is 0-{MAX_SECRET_GRACE_SECONDS} seconds")
        now = time.time() if now is None else now
        client = self.get_client(client_id)
        if client.status != "active":
            raise InvalidRequest(f"Client {client_id} is revoked; create a new client")
        secret = _new_secret()
        previous_expires_at = math.ceil(now + grace_seconds) if grace_seconds else None
        replaced = self._store.replace_secret(
            client_id,
            expected_hash=client.secret_hash,
            new_hash=sha256_hex(secret),
            previous_expires_at=previous_expires_at,
        )
        if not replaced:  # rotated, revoked or deleted since we read it
            raise InvalidRequest(f"Client {client_id} changed during the rotation; try again")
        return self.get_client(client_id), secret

    def revoke_client(self, client_id: str) -> None:
        self._store.revoke_client(client_id)

    def delete_client(self, client_id: str) -> None:
        self._store.delete_client(client_id, self.get_client(client_id).org_id)

    def get_client(self, client_id: str) -> Client:
        client = self._store.get_client(client_id) if CLIENT_ID_PATTERN.fullmatch(client_id) else None
        if client is None:
            raise ClientNotFound(f"Client {client_id} not found")
        return client

    def list_clients(self, org_id: str) -> list[Client]:
        self.get_org(org_id)
        return self._store.list_clients(org_id)

    def set_rate_tier(self, client_id: str, tier: str) -> None:
        _require_tier(tier)
        self._store.set_rate_tier(client_id, tier)

    # --- failed authentications --------------------------------------------------------------------
    # An id that cannot be a client's is never counted nor locked out: no secret can be guessed for it, and
    # counting made-up ids would write an item for each (or, shared, lock out every caller's typo at once).
    def record_failure(self, client_id: str, now: float | None = None) -> int:
        """Count one failed authentication for ``client_id``; returns the failures in the current window."""
        if not CLIENT_ID_PATTERN.fullmatch(client_id):
            return 0
        now = time.time() if now is None else now
        window_start = _window_start(now)
        return self._store.add_failure(client_id, window_start, window_start + AUTH_FAILURE_WINDOW_SECONDS)

    def failures_exceeded(self, client_id: str, now: float | None = None) -> int | None:
        """Seconds until ``client_id`` may try again when it has failed too often, else ``None``."""
        if not CLIENT_ID_PATTERN.fullmatch(client_id):
            return None
        now = time.time() if now is None else now
        window_start = _window_start(now)
        if self._store.get_failures(client_id, window_start, now) < MAX_AUTH_FAILURES:
            return None
        return max(1, math.ceil(window_start + AUTH_FAILURE_WINDOW_SECONDS - now))

    # --- revoked access tokens -----------------------------------------------------------------------
    def revoke_token(self, jti: str, expires_at: int) -> None:
        """Revoke the access token ``jti``. The record outlives the token's ``exp`` by a margin larger than
        any verifier's clock-skew leeway, so no verifier accepts the token once the record is gone."""
        self._store.add_revocation(jti, expires_at + REVOCATION_MARGIN_SECONDS)

    def is_token_revoked(self, jti: str, now: float | None = None) -> bool:
        return self._store.is_revoked(jti, time.time() if now is None else now)

    # --- sandbox API keys (the sandbox stage only; the API decides where they are accepted) ----------
    def create_sandbox_key(self, org_id: str, scopes: Iterable[str]) -> tuple[SandboxKey, str]:
        """A new active key of ``org_id``: the record and the key itself (shown this once)."""
        granted = validate_scopes(scopes)
        self.get_org(org_id)
        key_id, secret = new_prefixed_key(
            SANDBOX_KEY_PREFIX, SANDBOX_KEY_ID_LENGTH, SANDBOX_KEY_SECRET_LENGTH
        )
        key = SandboxKey(
            key_id=key_id,
            org_id=org_id,
            scopes=granted,
            key_hash=sha256_hex(secret),
            active=True,
            created_at=rfc3339_now(),
        )
        self._store.create_sandbox_key(key)
        return key, secret

    def authenticate_sandbox_key(self, api_key: str) -> SandboxKey:
        """The active key this is, or ``InvalidApiKey`` (whatever the reason)."""
        key_id = _sandbox_key_id(api_key)
        key = self._store.get_sandbox_key(key_id) if key_id else None
        matches = hash_matches(key.key_hash if key else _NO_HASH, api_key)
        if key is None or not key.active or not matches:
            raise InvalidApiKey("Invalid API key")
        return key

    def revoke_sandbox_key(self, key_id_or_key: str) -> None:
        """Accepts the key id or the whole key."""
        key_id = _sandbox_key_id(key_id_or_key) or key_id_or_key
        if not re.fullmatch(rf"[A-Za-z0-9]{{{SANDBOX_KEY_ID_LENGTH}}}", key_id):
            raise ApiKeyNotFound(f"Sandbox key {key_id_or_key} not found")
        self._store.deactivate_sandbox_key(key_id)


def _new_secret() -> str:
    return CLIENT_SECRET_PREFIX + random_token(CLIENT_SECRET_LENGTH)


def _require_tier(tier: str) -> None:
    if tier not in RATE_TIERS:
        raise InvalidRequest(f"Unknown rate tier {tier}; known: {', '.join(sorted(RATE_TIERS))}")


def _window_start(now: float) -> int:
    return int(now // AUTH_FAILURE_WINDOW_SECONDS) * AUTH_FAILURE_WINDOW_SECONDS


def _sandbox_key_id(api_key: str) -> str | None:
    """The key id of a well-formed sandbox key, else ``None``."""
    return prefixed_key_id(api_key, SANDBOX_KEY_PREFIX, SANDBOX_KEY_ID_LENGTH, SANDBOX_KEY_SECRET_LENGTH)


@per_container
def partner_service(table: str) -> PartnerService:
    """The container's service on the partner table (its name comes from the caller's settings)."""
    return PartnerService(PartnerStore(aws.dynamodb(), table))
