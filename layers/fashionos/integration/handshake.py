"""The handshake token: a shared secret in Secrets Manager, ``{"current": ..., "previous": ...}``.

Both tokens are accepted so the legacy system can switch to a new token without downtime. The secret is
cached per container for ``secret_cache_seconds``; it is never logged.
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
from fashionos.settings import settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class _TokenCache:
    """The accepted tokens, fetched at most once per ``secret_cache_seconds`` per container."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expires = 0.0
        self._tokens: tuple[bytes, ...] = ()

    def get(self) -> tuple[bytes, ...]:
        with self._lock:
            if time.monotonic() >= self._expires:
                config = settings()
                secret = aws.secretsmanager().get_secret_value(SecretId=config.handshake_secret_id)
                value = json.loads(secret["SecretString"])
                self._tokens = tuple(value[k].encode() for k in ("current", "previous") if value.get(k))
                self._expires = time.monotonic() + config.secret_cache_seconds
            return self._tokens

    def clear(self) -> None:
        with self._lock:
            self._expires = 0.0


token_cache = _TokenCache()


def verify_handshake(presented: object) -> None:
    if not isinstance(presented, str) or not presented:
        raise InvalidHandshake("Missing handshake token")
    candidate = presented.encode()
    # Compare against every token (constant time each), without stopping at the first match.
    matches = [hmac.compare_digest(candidate, token) for token in token_cache.get()]
    if not any(matches):
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
