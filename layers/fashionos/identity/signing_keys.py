"""The JWT signing keys: RSA private keys in one Secrets Manager secret, ``{"current": .., "previous": ..}``.

Each entry is ``{"kid": ..., "private_pem": ...}`` (``previous`` may be null). Public keys are derived from
the private ones, so the secret cannot pair a kid with a public key that does not match. Rotation makes a new
``current`` and keeps the old one as ``previous``: tokens it signed keep verifying until they expire. Rotate
at most once per token lifetime plus cache TTL — a key rotated out twice is forgotten, with its tokens.

Parsing an RSA private key costs ~40 ms, so each key is parsed once per container (a refresh that finds the
same kid and PEM reuses the parsed object); signing and verifying never touch a PEM.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.utils import base64url_encode, to_base64url_uint

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

KEY_SIZE = 2048
# What a kid may look like (an RFC 7638 thumbprint is 43 of these characters). A token header naming
# anything else — a path, an empty string, a non-string — is refused before any lookup.
KID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey


@dataclass(frozen=True, slots=True)
class _KeySet:
    """One parsed version of the secret, replaced whole so that readers never see half an update."""

    current: SigningKey
    public_keys: Mapping[str, rsa.RSAPublicKey]  # current first, then previous
    jwks: tuple[dict[str, str], ...]


def _b64_uint(value: int) -> str:
    return to_base64url_uint(value).decode()


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256): a kid derived from the key itself, so two keys never share one."""
    numbers = public_key.public_numbers()
    members = {"e": _b64_uint(numbers.e), "kty": "RSA", "n": _b64_uint(numbers.n)}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
    return base64url_encode(digest).decode()


def public_jwk(kid: str, public_key: rsa.RSAPublicKey) -> dict[str, str]:
    # Built by hand: PyJWT's RSAAlgorithm.to_jwk adds ``key_ops`` (RFC 7517 says not to combine it with
    # ``use``) and, handed a private key by mistake, would publish the private parameters.
    numbers = public_key.public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": _b64_uint(numbers.n),
        "e": _b64_uint(numbers.e),
    }


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_SIZE:
        raise ValueError(f"A signing key must be an RSA key of at least {KEY_SIZE} bits")
    return key


def generate_signing_key() -> dict[str, str]:
    """A new RSA-2048 key as a secret entry: ``{"kid": <RFC 7638 thumbprint>, "private_pem": <PKCS#8>}``."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {"kid": thumbprint(private_key.public_key()), "private_pem": pem}


def initial_secret_value() -> str:
    """The ``SecretString`` to seed a fresh signing-key secret with."""
    return json.dumps({"current": generate_signing_key(), "previous": None})


# Names the version of the first key: uuid5(this, the empty version it replaces).
_FIRST_KEY_NAMESPACE = uuid.UUID("0f6f3a52-6a53-4b8e-9d2c-6b1f2a4c9e10")


def ensure_signing_key(client: SecretsManagerClient, secret_id: str) -> str:
    """The current kid, after making the first key if the secret holds none (a new stack's empty secret).

    Safe to run again (a secret with a key is left as it is) and to run twice at once: every run that found
    the same empty version writes its key with the same ``ClientRequestToken``, derived from that version,
    so Secrets Manager creates one new version and refuses the others (``ResourceExistsException``, their
    key material differing), which then read the key that won."""
    secret = client.get_secret_value(SecretId=secret_id)
    current = json.loads(secret["SecretString"]).get("current")
    if current:
        return str(current["kid"])
    token = str(uuid.uuid5(_FIRST_KEY_NAMESPACE, f"{secret['ARN']}:{secret['VersionId']}"))
    try:
        client.put_secret_value(
            SecretId=secret_id, ClientRequestToken=token, SecretString=initial_secret_value()
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceExistsException":
            raise
    return str(json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])["current"]["kid"])


def rotate_signing_key(client: SecretsManagerClient, secret_id: str) -> str:
    """Make a new current key; the old current one stays published (and verifying) as ``previous``.

    Returns the new kid. Containers pick the new key up within their cache TTL for signing, and at once for
    verifying (an unknown kid triggers a refresh).
    """
    value = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    new = generate_signing_key()
    client.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"current": new, "previous": value["current"]})
    )
    return new["kid"]


class SigningKeys:
    """The signing keys of one container: fetched by ``load``, then at most once per ``ttl_seconds`` — or
    sooner when a token names an unknown kid, so a freshly rotated key verifies at once (at most one such
    refresh a second, so junk kids cannot hammer Secrets Manager).

    Thread-safe. The hot path (``current``, ``public_key`` for a known kid) takes no lock and makes no call.
    """

    REFRESH_ON_MISS_SECONDS = 1.0

    def __init__(self, ttl_seconds: float = 300.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._fetch: Callable[[], str] | None = None
        self._keys: _KeySet | None = None
        self._parsed: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}  # kid -> (PEM, parsed key)
        self._fetched = 0.0
        self._expires = 0.0

    def load(self, client: SecretsManagerClient, secret_id: str) -> None:
        """Fetch and parse the keys now (a container calls this once, lazily)."""

        def fetch() -> str:
            return client.get_secret_value(SecretId=secret_id)["SecretString"]

        with self._lock:
            self._fetch = fetch
            self._refresh(self._clock(), first=True)

    @property
    def current(self) -> SigningKey:
        return self._get().current

    @property
    def public_keys(self) -> Mapping[str, rsa.RSAPublicKey]:
        return self._get().public_keys

    def public_key(self, kid: str) -> rsa.RSAPublicKey | None:
        """The public key for ``kid``, refreshing once if it is unknown; None if it is still unknown."""
        key = self._get().public_keys.get(kid)
        if key is None:
            key = self._get(refresh=True).public_keys.get(kid)
        return key

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys as a JWK Set (current and previous), for ``/.well-known/jwks.json``."""
        return {"keys": [dict(jwk) for jwk in self._get().jwks]}

    def _get(self, *, refresh: bool = False) -> _KeySet:
        keys = self._keys
        if keys is not None and not refresh and self._clock() < self._expires:
            return keys
        with self._lock:
            now = self._clock()
            stale = self._keys is None or now >= self._expires
            if stale or (refresh and now - self._fetched >= self.REFRESH_ON_MISS_SECONDS):
                self._refresh(now)
            assert self._keys is not None
            return self._keys

    def _refresh(self, now: float, *, first: bool = False) -> None:
        if self._fetch is None:
            raise RuntimeError("SigningKeys.load() was never called")
        self._fetched = now
        try:
            secret = self._fetch()
        except (BotoCoreError, ClientError):
            if first or self._keys is None:
                raise
            # Secrets Manager is unreachable: keep the keys we have rather than fail every request.
            self._expires = now + self.REFRESH_ON_MISS_SECONDS
            return
        self._keys = self._parse(secret)
        self._expires = now + self._ttl

    def _parse(self, secret: str) -> _KeySet:
        value: dict[str, Any] = json.loads(secret)
        entries = [value["current"]] + ([value["previous"]] if value.get("previous") else [])
        parsed: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}
        for entry in entries:
            kid, pem = entry["kid"], entry["private_pem"]
            if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
                raise ValueError("A signing key's kid must match KID_PATTERN")
            known = self._parsed.get(kid)
            parsed[kid] = known if known is not None and known[0] == pem else (pem, load_private_key(pem))
        self._parsed = parsed
        public_keys = {kid: private_key.public_key() for kid, (_, private_key) in parsed.items()}
        current_kid = entries[0]["kid"]
        return _KeySet(
            current=SigningKey(current_kid, parsed[current_kid][1]),
            public_keys=public_keys,
            jwks=tuple(public_jwk(kid, key) for kid, key in public_keys.items()),
        )
