"""The authorization server metadata document (RFC 8414 §2) of the Partner API."""

from __future__ import annotations

from typing import Any

from fashionos.identity.partner_models import GRANT_TYPES, KNOWN_SCOPES

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
JWKS_PATH = "/.well-known/jwks.json"


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    """Introspection and revocation endpoints are added when they exist."""
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "jwks_uri": issuer + JWKS_PATH,
        "grant_types_supported": sorted(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": sorted(KNOWN_SCOPES),
        "response_types_supported": [],  # no authorization endpoint: client credentials only
    }
