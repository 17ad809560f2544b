"""Typed settings, read from the environment once per container: one object per function family.

The Integration API's functions read ``settings()``, the Partner API's ``partner_settings()``; neither needs
the other's variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    handshake_secret_id: str
    rate_limit_per_minute: int = 3000
    # How long a container trusts its cached copy of the handshake secret; bounds how long a rotation
    # takes to reach every container.
    secret_cache_seconds: int = 300
    idempotency_ttl_seconds: int = 24 * 3600

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            table_name=env["TABLE_NAME"],
            handshake_secret_id=env["HANDSHAKE_SECRET_ARN"],
            rate_limit_per_minute=int(env.get("RATE_LIMIT_PER_MINUTE", "3000")),
            secret_cache_seconds=int(env.get("SECRET_CACHE_SECONDS", "300")),
        )


@cache
def settings() -> Settings:
    return Settings.from_env()


@dataclass(frozen=True, slots=True)
class PartnerSettings:
    partner_table_name: str
    signing_key_secret_id: str
    token_audience: str
    # The OAuth issuer and public base URL; None: https://<domain>/<stage> of the request (see template.yaml).
    token_issuer: str | None = None
    # How long a container trusts its copy of the signing keys (an unknown kid refreshes sooner).
    secret_cache_seconds: int = 300
    # The authorizer honours sandbox API keys (X-Api-Key): the sandbox stage only.
    sandbox_keys: bool = False

    @classmethod
    def from_env(cls) -> PartnerSettings:
        env = os.environ
        return cls(
            partner_table_name=env["PARTNER_TABLE_NAME"],
            signing_key_secret_id=env["SIGNING_KEY_SECRET_ARN"],
            token_audience=env.get("TOKEN_AUDIENCE") or "fashionos-partner-api",
            token_issuer=env.get("TOKEN_ISSUER", "").rstrip("/") or None,
            secret_cache_seconds=int(env.get("SECRET_CACHE_SECONDS", "300")),
            sandbox_keys=env.get("SANDBOX_KEYS") == "enabled",
        )


@cache
def partner_settings() -> PartnerSettings:
    return PartnerSettings.from_env()


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


@cache
def webhook_settings() -> WebhookSettings:
    return WebhookSettings.from_env()
