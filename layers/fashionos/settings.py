"""One typed settings object, read from the environment once per container."""

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
