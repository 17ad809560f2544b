"""Identifiers and secrets: prefixed ULIDs (``usr_01H...``) and random tokens."""

from __future__ import annotations

import hashlib
import os
import secrets
import string
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TOKEN_ALPHABET = string.ascii_letters + string.digits


def ulid(now: float | None = None) -> str:
    """A ULID: 48-bit millisecond timestamp + 80 random bits, Crockford base32 (sorts by time)."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def prefixed_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"


def random_token(length: int) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
