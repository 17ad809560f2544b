"""OAuth 2.0 access tokens: RS256 JWTs in the RFC 9068 profile, signed and verified with keys held in memory.

Before the signature is checked, the verifier trusts only what it needs to pick the key, and checks that
first: ``alg`` must be RS256 (never ``none``, never HS256 keyed with our public key), the header holds only
``alg``, ``typ`` and ``kid`` (so never ``jku``/``x5u``/``jwk``/``x5c``: a token does not get to name its own
key, and never ``crit``/``b64``), ``typ`` is ``at+jwt``, and ``kid`` is one of ours. Whether the ``jti`` is
revoked or the client deleted is the caller's check, on the returned ``AccessToken``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.utils import base64url_decode

from fashionos.errors import InvalidToken
from fashionos.identity.signing_keys import KID_PATTERN, SigningKeys
from fashionos.ids import ulid

ALGORITHM = "RS256"
ACCESS_TOKEN_LIFETIME = 3600
TOKEN_TYPE = "at+jwt"  # noqa: S105 (a media type, not a secret)
_ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})  # RFC 9068 §4; media types ignore case
_ALLOWED_HEADERS = frozenset({"alg", "typ", "kid"})
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti", "client_id", "org_id", "scope")
_NONEMPTY_STRING_CLAIMS = ("sub", "jti", "client_id", "org_id")
MAX_TOKEN_LENGTH = 8192  # ours are ~700 bytes; refuse megabyte "tokens" before decoding them
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 §3.3 scope-token


@dataclass(frozen=True, slots=True)
class AccessToken:
    """The verified claims of an access token."""

    sub: str
    client_id: str
    org_id: str
    scopes: frozenset[str]
    jti: str
    exp: int
    iat: int


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value (the scheme ignores case, RFC 7235)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token:
        raise InvalidToken("Expected an 'Authorization: Bearer <token>' header")
    return token


class TokenIssuer:
    """Signs access tokens with the current key (a loaded key object: ~0.5 ms a token, no PEM parsing)."""

    def __init__(self, issuer: str, keys: SigningKeys, lifetime_seconds: int = ACCESS_TOKEN_LIFETIME) -> None:
        self._issuer = issuer
        self._keys = keys
        self._lifetime = lifetime_seconds

    def issue(
        self,
        *,
        client_id: str,
        org_id: str,
        subject: str,
        scopes: Iterable[str],
        audience: str,
        now: float | None = None,
    ) -> tuple[str, int]:
        """A signed token and its ``expires_in`` in seconds."""
        granted = sorted(set(scopes))
        if not all(_SCOPE_TOKEN.fullmatch(scope) for scope in granted):
            raise ValueError("Scopes must be RFC 6749 scope-tokens (no spaces, quotes or backslashes)")
        issued_at = int(time.time() if now is None else now)
        claims = {
            "iss": self._issuer,
            "sub": subject,
            "aud": audience,
            "client_id": client_id,
            "org_id": org_id,
            "scope": " ".join(granted),
            "iat": issued_at,
            "exp": issued_at + self._lifetime,
            "jti": ulid(issued_at),
        }
        return sign(self._keys, claims, TOKEN_TYPE), self._lifetime


def sign(keys: SigningKeys, claims: dict[str, Any], typ: str) -> str:
    """``claims`` as an RS256 JWT of type ``typ``, signed with the current key."""
    key = keys.current
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"typ": typ, "kid": key.kid})


def _unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, only to pick the key: PyJWT then checks the whole token. (Decoding the one segment
    here rather than with ``jwt.get_unverified_header``, which parses and validates the payload as well,
    saves a third of a verification.)"""
    first, dot, _ = token.partition(".")
    try:
        header = json.loads(base64url_decode(first))
    except ValueError:  # bad base64, bad UTF-8 or bad JSON
        raise InvalidToken("Malformed token") from None
    if not dot or not isinstance(header, dict):
        raise InvalidToken("Malformed token")
    return header


class JwtVerifier:
    """Verifies our JWTs of one type against the in-memory public keys; RS256 only, nothing fetched per
    call. A subclass states its type (``typ``), its required claims and which of them are non-empty
    strings: a token of another type is refused even though the same keys signed it."""

    accepted_types: frozenset[str] = _ACCEPTED_TYPES
    required_claims: tuple[str, ...] = REQUIRED_CLAIMS
    string_claims: tuple[str, ...] = _NONEMPTY_STRING_CLAIMS

    def __init__(self, issuer: str, audience: str, keys: SigningKeys, leeway: int = 30) -> None:
        self._issuer = issuer
        self._audience = audience
        self._keys = keys
        self._leeway = leeway

    def claims(self, token: str, now: float | None = None) -> dict[str, Any]:
        """The verified claims of ``token``, or ``InvalidToken``."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("Malformed token")
        public_key = self._key_for(_unverified_header(token))
        claims = self._decode(token, public_key)
        self._check_times(claims, time.time() if now is None else now)
        return claims

    def _key_for(self, header: dict[str, Any]) -> rsa.RSAPublicKey:
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("Unsupported algorithm")
        if not header.keys() <= _ALLOWED_HEADERS:
            raise InvalidToken("Unexpected header parameter")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in self.accepted_types:
            raise InvalidToken("Wrong token type (typ)")
        kid = header.get("kid")
        if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
            raise InvalidToken("Invalid key id")
        public_key = self._keys.public_key(kid)
        if public_key is None:
            raise InvalidToken("Unknown key id")
        return public_key

    def _decode(self, token: str, public_key: rsa.RSAPublicKey) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=public_key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Times are checked by _check_times: PyJWT reads the clock itself and takes "123" for 123.
                options={
                    "require": list(self.required_claims),
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise InvalidToken("Invalid signature") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"Missing claim: {error.claim}") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("Wrong audience") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("Wrong issuer") from None
        except jwt.PyJWTError:
            raise InvalidToken("Malformed token") from None
        if not all(isinstance(claims[name], str) and claims[name] for name in self.string_claims):
            raise InvalidToken("Malformed claims")
        return claims

    def _check_times(self, claims: dict[str, Any], now: float) -> None:
        times = {name: claims[name] for name in ("exp", "iat", "nbf") if name in claims}
        # bool is an int in Python; a JSON true is no timestamp.
        if not all(type(value) is int for value in times.values()):
            raise InvalidToken("Malformed time claims")
        if times["exp"] <= now - self._leeway:
            raise InvalidToken("Token expired")
        if times["iat"] > now + self._leeway or times.get("nbf", 0) > now + self._leeway:
            raise InvalidToken("Token not yet valid")


class TokenVerifier(JwtVerifier):
    """Verifies access tokens (``at+jwt``)."""

    def verify(self, token: str, now: float | None = None) -> AccessToken:
        claims = self.claims(token, now)
        if not isinstance(claims["scope"], str):
            raise InvalidToken("Malformed claims")
        return AccessToken(
            sub=claims["sub"],
            client_id=claims["client_id"],
            org_id=claims["org_id"],
            scopes=frozenset(claims["scope"].split()),
            jti=claims["jti"],
            exp=claims["exp"],
            iat=claims["iat"],
        )
