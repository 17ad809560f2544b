"""Token introspection (RFC 7662) and revocation (RFC 7009) for authenticated clients.

Both authenticate the client as the token endpoint does (``grant.authenticate_client``: same failure
throttling), then verify the token. A client sees and revokes only its own tokens: anything else (invalid,
expired, revoked, another client's) introspects as ``{"active": false}`` and revokes as a silent success,
so neither endpoint tells a client anything about a token it did not get.
"""

from __future__ import annotations

import time

from fashionos.errors import InvalidToken
from fashionos.identity.grant import authenticate_client
from fashionos.identity.oauth import TokenTypeRequest
from fashionos.identity.partners import PartnerService
from fashionos.identity.tokens import AccessToken, TokenVerifier
from fashionos.identity.views import Introspection


def _own_token(
    request: TokenTypeRequest, service: PartnerService, verifier: TokenVerifier, now: float
) -> AccessToken | None:
    """The verified token when it belongs to the authenticated client, else ``None``."""
    client = authenticate_client(request.credentials, service, now)
    try:
        token = verifier.verify(request.token, now)
    except InvalidToken:
        return None
    return token if token.client_id == client.client_id else None


def introspect_token(
    request: TokenTypeRequest,
    service: PartnerService,
    verifier: TokenVerifier,
    *,
    issuer: str,
    audience: str,
    now: float | None = None,
) -> Introspection:
    """The RFC 7662 §2.2 response body. ``issuer`` and ``audience`` are the verifier's: a token that
    verified carries exactly these."""
    now = time.time() if now is None else now
    token = _own_token(request, service, verifier, now)
    # No leeway here: a token past its exp is not active, whatever a verifier's clock skew allows.
    if token is None or token.exp <= now or service.is_token_revoked(token.jti, now):
        return {"active": False}
    return {
        "active": True,
        "scope": " ".join(sorted(token.scopes)),
        "client_id": token.client_id,
        "sub": token.sub,
        "aud": audience,
        "iss": issuer,
        "exp": token.exp,
        "iat": token.iat,
        "jti": token.jti,
        "token_type": "Bearer",
        "org_id": token.org_id,
    }


def revoke_token(
    request: TokenTypeRequest, service: PartnerService, verifier: TokenVerifier, now: float | None = None
) -> None:
    """Revoke the client's own access token; any other token is left alone (RFC 7009 §2.2: 200 either way).

    The ``token_type_hint`` is ignored: access tokens are the only tokens we issue.
    """
    now = time.time() if now is None else now
    token = _own_token(request, service, verifier, now)
    if token is not None:
        service.revoke_token(token.jti, token.exp)
