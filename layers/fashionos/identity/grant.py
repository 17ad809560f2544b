"""The client credentials grant (RFC 6749 §4.4): from a parsed token request to a signed access token.

The order is the one ``fashionos.identity.partners`` prescribes: refuse a client that failed too often
(before looking at its secret), authenticate, count a failure, then scopes, then the token. The
introspection and revocation endpoints authenticate their clients with the same ``authenticate_client``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fashionos.errors import (
    InvalidClient,
    OAuthInvalidClient,
    OAuthTooManyAttempts,
    OAuthUnauthorizedClient,
)
from fashionos.identity.oauth import ClientCredentials, TokenRequest, resolve_scopes
from fashionos.identity.partner_models import Client
from fashionos.identity.partners import PartnerService
from fashionos.identity.tokens import TokenIssuer


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: frozenset[str]


def authenticate_client(
    credentials: ClientCredentials, service: PartnerService, now: float | None = None
) -> Client:
    """The active client these credentials belong to. Refuses a client that failed too often (before
    looking at its secret) with ``OAuthTooManyAttempts``; a wrong secret counts a failure, then
    ``OAuthInvalidClient``."""
    client_id = credentials.client_id
    retry_after = service.failures_exceeded(client_id, now)
    if retry_after is not None:
        raise OAuthTooManyAttempts("Too many failed attempts; retry later", retry_after)
    try:
        return service.authenticate(client_id, credentials.client_secret, now)
    except InvalidClient:
        service.record_failure(client_id, now)
        raise OAuthInvalidClient("Client authentication failed") from None


def grant_client_credentials(
    request: TokenRequest,
    service: PartnerService,
    issuer: TokenIssuer,
    audience: str,
    now: float | None = None,
) -> IssuedToken:
    client = authenticate_client(request.credentials, service, now)
    if request.grant_type not in client.grant_types:
        raise OAuthUnauthorizedClient("This client may not use the client_credentials grant")
    scopes = resolve_scopes(request.scope, client.scopes)
    # RFC 9068 §2.2: with no resource owner, ``sub`` identifies the client.
    token, expires_in = issuer.issue(
        client_id=client.client_id,
        org_id=client.org_id,
        subject=client.client_id,
        scopes=scopes,
        audience=audience,
        now=now,
    )
    return IssuedToken(token, expires_in, scopes)
