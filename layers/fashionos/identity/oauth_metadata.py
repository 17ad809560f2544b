"""The authorization server metadata document (RFC 8414 §2) of the Partner API."""

from __future__ import annotations

from fashionos.identity.partner_models import GRANT_TYPES, KNOWN_SCOPES
from fashionos.identity.views import AuthMethod, AuthorizationServerMetadata

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
INTROSPECTION_PATH = "/oauth/introspect"
REVOCATION_PATH = "/oauth/revoke"
JWKS_PATH = "/.well-known/jwks.json"
CLIENT_AUTH_METHODS: list[AuthMethod] = ["client_secret_basic", "client_secret_post"]


def authorization_server_metadata(issuer: str) -> AuthorizationServerMetadata:
    """Introspection and revocation authenticate clients as the token endpoint does."""
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "jwks_uri": issuer + JWKS_PATH,
        "grant_types_supported": sorted(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
        "introspection_endpoint": issuer + INTROSPECTION_PATH,
        "introspection_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
        "revocation_endpoint": issuer + REVOCATION_PATH,
        "revocation_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
        "scopes_supported": sorted(KNOWN_SCOPES),
        "response_types_supported": [],  # no authorization endpoint: client credentials only
    }
