"""Session tokens: what the try-on front end holds for one session. RS256 JWTs signed by the same keys as
access tokens (the JWKS publishes them), but of their own type (``tryon+jwt``) and audience (``tryon``):
the authorizer refuses them on every ``/v1`` route (it takes ``at+jwt`` only) and the try-on routes refuse
access tokens. Bound to the session (``sub``, ``jti``), its product and its org; 15 minutes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fashionos.identity.signing_keys import SigningKeys
from fashionos.identity.tokens import JwtVerifier, sign
from fashionos.tryon.records import Session

SESSION_TOKEN_TYPE = "tryon+jwt"  # noqa: S105 (a media type, not a secret)
AUDIENCE = "tryon"
_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti", "org_id", "product_id")


@dataclass(frozen=True, slots=True)
class SessionClaims:
    session_id: str
    org_id: str
    product_id: str


def session_token(keys: SigningKeys, issuer: str, session: Session, issued_at: int) -> str:
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": session.session_id,
        "aud": AUDIENCE,
        "org_id": session.org_id,
        "product_id": session.product_id,
        "iat": issued_at,
        "exp": session.expires_epoch,
        "jti": session.session_id,
    }
    return sign(keys, claims, SESSION_TOKEN_TYPE)


class SessionTokenVerifier(JwtVerifier):
    accepted_types = frozenset({SESSION_TOKEN_TYPE, f"application/{SESSION_TOKEN_TYPE}"})
    required_claims = _CLAIMS
    string_claims = ("sub", "jti", "org_id", "product_id")

    def __init__(self, issuer: str, keys: SigningKeys) -> None:
        super().__init__(issuer, AUDIENCE, keys, leeway=0)  # 15 minutes mean 15 minutes

    def verify(self, token: str, now: float | None = None) -> SessionClaims:
        claims = self.claims(token, now)
        return SessionClaims(claims["sub"], claims["org_id"], claims["product_id"])
