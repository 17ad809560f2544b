"""Who is calling a ``/v1`` route, as the Lambda authorizer decided (``fashionos.identity.authorizer``).

``Principal.context`` is what the authorizer hands API Gateway, ``Principal.from_context`` what a route's
handler reads back from ``requestContext.authorizer``. The decision does not depend on the route: API
Gateway may cache it for any route of the API, and each route checks its own scope (``require_scope``).
Kept apart from the authorizer so that route handlers do not import the JWT code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fashionos.errors import InsufficientScope, InvalidToken
from fashionos.identity.partner_models import DEFAULT_RATE_TIER, RATE_TIERS

Credential = Literal["access_token", "sandbox_key"]
_CREDENTIALS: frozenset[str] = frozenset({"access_token", "sandbox_key"})


def sandbox_principal(key_id: str) -> str:
    """A sandbox key's ``principal_id``: whom its rate limit counts."""
    return f"sandbox:{key_id}"


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


def require_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise InsufficientScope(scope)
