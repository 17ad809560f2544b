"""Identifiers and secrets: prefixed ULIDs (``usr_01H...``) and random tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import string
import time

from fashionos.errors import InvalidRequest

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TOKEN_ALPHABET = string.ascii_letters + string.digits
ID_BODY = f"[{_CROCKFORD}]{{26}}"  # what follows the prefix of every id: a ULID


def ulid(now: float | None = None) -> str:
    """A ULID: 48-bit millisecond timestamp + 80 random bits, Crockford base32 (sorts by time)."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def prefixed_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"


def id_pattern(prefix: str) -> re.Pattern[str]:
    """What ``prefixed_id(prefix)`` makes: a name that cannot match is not looked up (it is not found)."""
    return re.compile(f"{prefix}_{ID_BODY}")


def checked_cursor(pattern: re.Pattern[str], cursor: str | None) -> str | None:
    """A list's ``cursor``, which is the last id (or key) of the page before: 400 unless it could be one."""
    if cursor is not None and not pattern.fullmatch(cursor):
        raise InvalidRequest("cursor is not one this API returned")
    return cursor


def random_token(length: int) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


def sha256_hex(value: str | bytes) -> str:
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()


def new_prefixed_key(prefix: str, id_length: int, secret_length: int) -> tuple[str, str]:
    """A key shaped ``{prefix}{id}{secret}``: its public id (to look the key up by), and the key itself."""
    key_id = random_token(id_length)
    return key_id, f"{prefix}{key_id}{random_token(secret_length)}"


def prefixed_key_id(key: str, prefix: str, id_length: int, secret_length: int) -> str | None:
    """The public id of a key shaped ``{prefix}{id}{secret}``; ``None`` for anything else."""
    if not key.startswith(prefix) or len(key) != len(prefix) + id_length + secret_length:
        return None
    return key[len(prefix) : len(prefix) + id_length]


def hash_matches(expected_sha256_hex: str, presented: str) -> bool:
    """Whether ``presented`` hashes to the stored hash, compared in constant time. SHA-256 suits secrets
    of 190+ random bits: nothing to brute-force, and no slow hash on every request."""
    return hmac.compare_digest(expected_sha256_hex, sha256_hex(presented))


def ulid_bound(epoch_seconds: float, *, upper: bool) -> str:
    """The smallest (or, with ``upper``, the largest) ULID of the millisecond ``epoch_seconds`` falls in, so
    a time range of ULID-keyed items is a key range."""
    millis = int(epoch_seconds * 1000)
    time_part = "".join(_CROCKFORD[(millis >> shift) & 31] for shift in range(45, -1, -5))
    return time_part + ("Z" if upper else "0") * 16
