"""Typed settings, read from the environment once per container: one object per function family.

The Integration API's functions read ``settings()``, every Partner API function ``partner_settings()``, and
each area its own (``token_settings()``, ``webhook_settings()``, ``commerce_settings()``): no function is
forced to carry a variable it never uses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from fashionos.percontainer import per_container

IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # Stripe's: a key and its first response are kept 24 hours
DEFAULT_TRYON_APP_URL = "https://tryon.fashionos.dev/launch"
DEFAULT_REDIRECT_RATE_LIMIT = 1200  # per client IP and minute
DEFAULT_CLICK_SHARDS = 10


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    handshake_secret_id: str
    rate_limit_per_minute: int = 3000
    # How long a container trusts its cached copy of the handshake secret; bounds how long a rotation
    # takes to reach every container.
    secret_cache_seconds: int = 300
    idempotency_ttl_seconds: int = IDEMPOTENCY_TTL_SECONDS

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            table_name=env["TABLE_NAME"],
            handshake_secret_id=env["HANDSHAKE_SECRET_ARN"],
            rate_limit_per_minute=int(env.get("RATE_LIMIT_PER_MINUTE", "3000")),
            secret_cache_seconds=int(env.get("SECRET_CACHE_SECONDS", "300")),
        )


@per_container
def settings() -> Settings:
    return Settings.from_env()


@dataclass(frozen=True, slots=True)
class PartnerSettings:
    """What every Partner API function reads: its table (rate limits) and its public base URL."""

    partner_table_name: str
    # The OAuth issuer and public base URL; None: https://<domain>/<stage> of the request (see template.yaml).
    token_issuer: str | None = None
    # The authorizer honours sandbox API keys (X-Api-Key): the sandbox stage only.
    sandbox_keys: bool = False
    idempotency_ttl_seconds: int = IDEMPOTENCY_TTL_SECONDS

    @classmethod
    def from_env(cls) -> PartnerSettings:
        env = os.environ
        return cls(
            partner_table_name=env["PARTNER_TABLE_NAME"],
            token_issuer=env.get("TOKEN_ISSUER", "").rstrip("/") or None,
            sandbox_keys=env.get("SANDBOX_KEYS") == "enabled",
        )


@per_container
def partner_settings() -> PartnerSettings:
    return PartnerSettings.from_env()


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """What the functions that sign or verify access tokens read (OAuth endpoints, JWKS, the authorizer)."""

    signing_key_secret_id: str
    token_audience: str
    # How long a container trusts its copy of the signing keys (an unknown kid refreshes sooner).
    secret_cache_seconds: int = 300

    @classmethod
    def from_env(cls) -> TokenSettings:
        env = os.environ
        return cls(
            signing_key_secret_id=env["SIGNING_KEY_SECRET_ARN"],
            token_audience=env.get("TOKEN_AUDIENCE") or "fashionos-partner-api",
            secret_cache_seconds=int(env.get("SECRET_CACHE_SECONDS", "300")),
        )


@per_container
def token_settings() -> TokenSettings:
    return TokenSettings.from_env()


@dataclass(frozen=True, slots=True)
class CommerceSettings:
    commerce_table_name: str
    event_table_name: str

    @classmethod
    def from_env(cls) -> CommerceSettings:
        return cls(
            commerce_table_name=os.environ["COMMERCE_TABLE_NAME"],
            event_table_name=os.environ["EVENT_TABLE_NAME"],
        )


@per_container
def commerce_settings() -> CommerceSettings:
    return CommerceSettings.from_env()


# Svix's schedule: the delay before each of a delivery's attempts (the first is immediate).
DEFAULT_RETRY_SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    partner_table_name: str
    event_table_name: str
    queue_url: str
    # Seconds before each attempt of one delivery; its length is the queue's maxReceiveCount (template.yaml).
    retry_schedule: tuple[int, ...] = DEFAULT_RETRY_SCHEDULE
    # Endpoints may be http://127.0.0.1 receivers: set by the local stack only, never by the template.
    allow_loopback: bool = False

    @classmethod
    def from_env(cls) -> WebhookSettings:
        env = os.environ
        schedule = (
            tuple(int(s) for s in env.get("WEBHOOK_RETRY_SCHEDULE", "").split()) or DEFAULT_RETRY_SCHEDULE
        )
        if len(schedule) != len(DEFAULT_RETRY_SCHEDULE) or min(schedule) < 0:
            raise ValueError(f"WEBHOOK_RETRY_SCHEDULE must list {len(DEFAULT_RETRY_SCHEDULE)} delays >= 0")
        return cls(
            partner_table_name=env["PARTNER_TABLE_NAME"],
            event_table_name=env["EVENT_TABLE_NAME"],
            queue_url=env["WEBHOOK_QUEUE_URL"],
            retry_schedule=schedule,
            allow_loopback=env.get("WEBHOOK_ALLOW_LOOPBACK") == "true",
        )


@per_container
def webhook_settings() -> WebhookSettings:
    return WebhookSettings.from_env()


@dataclass(frozen=True, slots=True)
class TryOnSettings:
    """What the try-on functions read: their table, the usage table whose counters a session moves, the
    outbox, and the front end a session launches."""

    tryon_table_name: str
    usage_table_name: str
    event_table_name: str
    app_url: str = DEFAULT_TRYON_APP_URL

    @classmethod
    def from_env(cls) -> TryOnSettings:
        env = os.environ
        return cls(
            tryon_table_name=env["TRYON_TABLE_NAME"],
            usage_table_name=env["TABLE_NAME"],
            event_table_name=env["EVENT_TABLE_NAME"],
            app_url=env.get("TRYON_APP_URL") or DEFAULT_TRYON_APP_URL,
        )


@per_container
def tryon_settings() -> TryOnSettings:
    return TryOnSettings.from_env()


@dataclass(frozen=True, slots=True)
class AffiliateSettings:
    """What the affiliate functions read: their table, the outbox, the redirect's per-IP limit and how many
    write shards a link's click counters have."""

    affiliate_table_name: str
    event_table_name: str
    redirect_rate_limit_per_minute: int = DEFAULT_REDIRECT_RATE_LIMIT
    click_shards: int = DEFAULT_CLICK_SHARDS

    @classmethod
    def from_env(cls) -> AffiliateSettings:
        env = os.environ
        shards = int(env.get("CLICK_COUNTER_SHARDS") or DEFAULT_CLICK_SHARDS)
        if not 1 <= shards <= 100:
            raise ValueError("CLICK_COUNTER_SHARDS must be 1-100")
        return cls(
            affiliate_table_name=env["AFFILIATE_TABLE_NAME"],
            event_table_name=env["EVENT_TABLE_NAME"],
            redirect_rate_limit_per_minute=int(
                env.get("REDIRECT_RATE_LIMIT_PER_MINUTE") or DEFAULT_REDIRECT_RATE_LIMIT
            ),
            click_shards=shards,
        )


@per_container
def affiliate_settings() -> AffiliateSettings:
    return AffiliateSettings.from_env()


@dataclass(frozen=True, slots=True)
class AssetSettings:
    """What the Design Vault functions read: their table, their bucket and the outbox."""

    asset_table_name: str
    asset_bucket_name: str
    event_table_name: str
    upload_queue_url: str = ""  # the confirm function's own queue (a malformed message leaves it at once)

    @classmethod
    def from_env(cls) -> AssetSettings:
        env = os.environ
        return cls(
            asset_table_name=env["ASSET_TABLE_NAME"],
            asset_bucket_name=env["ASSET_BUCKET_NAME"],
            event_table_name=env["EVENT_TABLE_NAME"],
            upload_queue_url=env.get("ASSET_UPLOAD_QUEUE_URL", ""),
        )


@per_container
def asset_settings() -> AssetSettings:
    return AssetSettings.from_env()


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """What the exports functions read: the partner table (exports), the private bucket (their zips) and the
    export queue (the create function sends to it)."""

    partner_table_name: str
    asset_bucket_name: str
    export_queue_url: str = ""

    @classmethod
    def from_env(cls) -> ExportSettings:
        env = os.environ
        return cls(
            partner_table_name=env["PARTNER_TABLE_NAME"],
            asset_bucket_name=env["ASSET_BUCKET_NAME"],
            export_queue_url=env.get("EXPORT_QUEUE_URL", ""),
        )


@per_container
def export_settings() -> ExportSettings:
    return ExportSettings.from_env()


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """What an org's export and erasure read (``fashionos.privacy``): every table that holds partner data,
    the private bucket, and the Partner API's public base URL (the short links' URLs in an export)."""

    partner_table_name: str
    commerce_table_name: str
    event_table_name: str
    tryon_table_name: str
    affiliate_table_name: str
    asset_table_name: str
    asset_bucket_name: str
    public_base_url: str = ""  # TOKEN_ISSUER; unset: an exported link's short_url is relative (/r/{code})

    @classmethod
    def from_env(cls) -> PrivacySettings:
        env = os.environ
        return cls(
            partner_table_name=env["PARTNER_TABLE_NAME"],
            commerce_table_name=env["COMMERCE_TABLE_NAME"],
            event_table_name=env["EVENT_TABLE_NAME"],
            tryon_table_name=env["TRYON_TABLE_NAME"],
            affiliate_table_name=env["AFFILIATE_TABLE_NAME"],
            asset_table_name=env["ASSET_TABLE_NAME"],
            asset_bucket_name=env["ASSET_BUCKET_NAME"],
            public_base_url=env.get("TOKEN_ISSUER", "").rstrip("/"),
        )


@per_container
def privacy_settings() -> PrivacySettings:
    return PrivacySettings.from_env()
