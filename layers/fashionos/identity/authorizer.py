"""Who is calling a ``/v1`` route: the Lambda authorizer's decision, and how it reaches the handlers.

``authenticate`` turns a request's headers into a ``Principal`` or raises (``InvalidToken``,
``InvalidApiKey``); ``Principal.context`` is what the authorizer hands API Gateway, and
``Principal.from_context`` what a route's handler reads back from ``requestContext.authorizer``. The
decision does not depend on the route: API Gateway may cache it for any route of the API, and each route
checks its own scope (``require_scope``) against the principal's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fashionos.errors import ClientNotFound, InsufficientScope, InvalidToken
from fashionos.identity.partner_models import DEFAULT_RATE_TIER, RATE_TIERS
from fashionos.identity.partners import PartnerService
from fashionos.identity.tokens import TokenVerifier, bearer_token

Credential = Literal["access_token", "sandbox_key"]
_CREDENTIALS: frozenset[str] = frozenset({"access_token", "sandbox_key"})


@dataclass(frozen=True, slots=True)
class Principal:
    principal_id: str  # the client id, or ``sandbox:<key id>``: whom the rate limit counts
    org_id: str
    client_id: str | None  # None for a sandbox key
    scopes: frozenset[str]
    rate_tier: str
    credential: Credential

    @property
    def requests_per_minute(self) -> int:
        return RATE_TIERS.get(self.rate_tier, RATE_TIERS[DEFAULT_RATE_TIER])

    def context(self) -> dict[str, str]:
        """The authorizer's ``context`` (API Gateway passes on strings, numbers and booleans only)."""
        return {
            "org_id": self.org_id,
            "client_id": self.client_id or "",
            "scope": " ".join(sorted(self.scopes)),
            "rate_tier": self.rate_tier,
            "credential": self.credential,
        }

    @classmethod
    def from_context(cls, authorizer: Mapping[str, Any] | None) -> Principal:
        """The principal an authorizer put in ``requestContext.authorizer``; ``InvalidToken`` without one
        (a route deployed without the authorizer fails closed)."""
        context = authorizer or {}
        principal_id, org_id = context.get("principalId"), context.get("org_id")
        credential, scope = context.get("credential"), context.get("scope")
        if not (principal_id and org_id and isinstance(scope, str) and credential in _CREDENTIALS):
            raise InvalidToken("No authorizer context")
        return cls(
            principal_id=str(principal_id),
            org_id=str(org_id),
            client_id=str(context.get("client_id") or "") or None,
            scopes=frozenset(scope.split()),
            rate_tier=str(context.get("rate_tier") or DEFAULT_RATE_TIER),
            credential=credential,
        )


def authenticate(
    headers: Mapping[str, str],
    service: PartnerService,
    verifier: TokenVerifier,
    *,
    sandbox_keys: bool,
    now: float | None = None,
) -> Principal:
    """The caller of a request (header names lower-cased): a Bearer access token, or, where
    ``sandbox_keys`` is on, a sandbox API key in ``X-Api-Key``. A token's client must still be active and
    the token not revoked."""
    now = time.time() if now is None else now
    if "authorization" in headers:
        return _token_principal(bearer_token(headers["authorization"]), service, verifier, now)
    if "x-api-key" in headers:
        if not sandbox_keys:
            raise InvalidToken("Sandbox API keys are accepted in the sandbox only")
        key = service.authenticate_sandbox_key(headers["x-api-key"])
        return Principal(
            principal_id=f"sandbox:{key.key_id}",
            org_id=key.org_id,
            client_id=None,
            scopes=key.scopes,
            rate_tier=DEFAULT_RATE_TIER,
            credential="sandbox_key",
        )
    raise InvalidToken("No credentials")


def _token_principal(
    raw_token: str, service: PartnerService, verifier: TokenVerifier, now: float
) -> Principal:
    token = verifier.verify(raw_token, now)
    if service.is_token_revoked(token.jti, now):
        raise InvalidToken("Token revoked")
    try:
        client = service.get_client(token.client_id)
    except ClientNotFound:
        raise InvalidToken("Client deleted") from None
    if client.status != "active" or client.org_id != token.org_id:
        raise InvalidToken("Client revoked")
    return Principal(
        principal_id=client.client_id,
        org_id=client.org_id,
        client_id=client.client_id,
        scopes=token.scopes & client.scopes,  # a scope taken from the client since is gone at once
        rate_tier=client.rate_tier,
        credential="access_token",
    )


def require_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise InsufficientScope(scope)
