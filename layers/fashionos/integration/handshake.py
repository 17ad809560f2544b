"""The handshake token: a shared secret in Secrets Manager, ``{"current": ..., "previous": ...}``.

Both tokens are accepted so the legacy system can switch to a new token without downtime. The secret is
cached per container for ``secret_cache_seconds`` (a retired token stays accepted that long) and refetched
early when a token does not match (a new token is accepted at once). It is never logged.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from typing import TYPE_CHECKING

from fashionos import aws
from fashionos.errors import InvalidHandshake
from fashionos.ids import random_token
from fashionos.percontainer import per_container
from fashionos.settings import settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class _TokenCache:
    """The accepted tokens, fetched at most once per ``secret_cache_seconds`` per container — or sooner when
    a token does not match, so a freshly rotated token works at once (at most one refetch a second)."""

    REFRESH_ON_MISS_SECONDS = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fetched = 0.0
        self._expires = 0.0
        self._tokens: tuple[bytes, ...] = ()

    def get(self, *, refresh: bool = False) -> tuple[bytes, ...]:
        with self._lock:
            now = time.monotonic()
            stale = now >= self._expires or (refresh and now - self._fetched >= self.REFRESH_ON_MISS_SECONDS)
            if stale:
                config = settings()
                secret = aws.secretsmanager().get_secret_value(SecretId=config.handshake_secret_id)
                value = json.loads(secret["SecretString"])
                self._tokens = tuple(value[k].encode() for k in ("current", "previous") if value.get(k))
                self._fetched, self._expires = now, now + config.secret_cache_seconds
            return self._tokens

    def clear(self) -> None:
        with self._lock:
            self._expires = 0.0


@per_container
def token_cache() -> _TokenCache:
    return _TokenCache()


def _matches(candidate: bytes, tokens: tuple[bytes, ...]) -> bool:
    # Compare against every token (constant time each), without stopping at the first match.
    return any([hmac.compare_digest(candidate, token) for token in tokens])  # noqa: C419


def verify_handshake(presented: object) -> None:
    if not isinstance(presented, str) or not presented:
        raise InvalidHandshake("Missing handshake token")
    candidate = presented.encode()
    if not (_matches(candidate, token_cache().get()) or _matches(candidate, token_cache().get(refresh=True))):
        raise InvalidHandshake("Invalid handshake token")


# --- rotation (admin CLI) ---------------------------------------------------------------------------
def rotate_handshake(client: SecretsManagerClient, secret_id: str) -> str:
    """Make a new current token; the old current one stays valid as ``previous``. Returns the new token."""
    value = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    token = random_token(48)
    client.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"current": token, "previous": value.get("current", "")})
    )
    return token


def retire_previous_handshake(client: SecretsManagerClient, secret_id: str) -> None:
    """End a rotation: only the current token is accepted (after each container's cache expires)."""
    value = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    client.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"current": value["current"], "previous": ""})
    )


def current_handshake(client: SecretsManagerClient, secret_id: str) -> str:
    token: str = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])["current"]
    return token
