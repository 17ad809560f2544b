"""The identity objects as the Partner API answers them: ``/v1/me`` and the OAuth endpoints' and documents'
bodies. The code that builds each body is annotated to return its TypedDict (mypy holds it to them) and the
OpenAPI documents take their schemas from them.

No pydantic and nothing heavy here: the GET routes that answer these (``/v1/me``, the JWKS, the metadata)
import this module at cold start.
"""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired, TypedDict

from fashionos.contract import SchemaKeywords
from fashionos.identity.partner_models import GrantType
from fashionos.identity.principal import Credential

AuthMethod = Literal["client_secret_basic", "client_secret_post"]


# --- /v1/me ------------------------------------------------------------------------------------------


class MeOrg(TypedDict):
    """The partner's org: every object the credentials reach belongs to it."""

    id: str
    handle: str
    display_name: str | None


class RateLimit(TypedDict):
    """The caller's rate limit: ``limit`` requests per ``window_seconds``, counted per client (or key)."""

    tier: str
    limit: int
    window_seconds: int


class Me(TypedDict):
    """The authenticated partner, its twin status, and what the credentials of this request allow
    (``client_id`` is null for a sandbox key)."""

    id: str
    handle: str
    twin_active: bool
    org: MeOrg
    credential: Credential
    client_id: str | None
    scopes: list[str]
    rate_limit: RateLimit


# --- OAuth 2.0 ---------------------------------------------------------------------------------------


class TokenResponse(TypedDict):
    """An access token (RFC 6749 §5.1; an RFC 9068 JWT): send it as ``Authorization: Bearer <token>``.
    ``scope`` is the space-separated scopes it carries."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: NotRequired[str]


class Introspection(TypedDict):
    """What a token is (RFC 7662 §2.2): ``{"active": false}`` alone for a token that is invalid, expired,
    revoked or another client's; the token's claims with ``"active": true``."""

    active: bool
    scope: NotRequired[str]
    client_id: NotRequired[str]
    sub: NotRequired[str]
    aud: NotRequired[str]
    iss: NotRequired[str]
    exp: NotRequired[int]
    iat: NotRequired[int]
    jti: NotRequired[str]
    token_type: NotRequired[Literal["Bearer"]]
    org_id: NotRequired[str]


class Jwk(TypedDict):
    """An RSA public key that verifies access tokens (RFC 7517, RFC 7518 §6.3.1); ``kid`` is its RFC 7638
    thumbprint, as the tokens it signed name it."""

    kty: Literal["RSA"]
    use: Literal["sig"]
    alg: Literal["RS256"]
    kid: str
    n: str
    e: str


class Jwks(TypedDict):
    """The JWK Set of the keys that verify access tokens (RFC 7517 §5): the current key, then the previous
    one during a rotation."""

    keys: list[Jwk]


class AuthorizationServerMetadata(TypedDict):
    """OAuth 2.0 Authorization Server Metadata (RFC 8414 §2): client credentials only, so no authorization
    endpoint and no response types."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    grant_types_supported: list[GrantType]
    token_endpoint_auth_methods_supported: list[AuthMethod]
    introspection_endpoint: str
    introspection_endpoint_auth_methods_supported: list[AuthMethod]
    revocation_endpoint: str
    revocation_endpoint_auth_methods_supported: list[AuthMethod]
    scopes_supported: list[str]
    response_types_supported: Annotated[list[str], SchemaKeywords({"maxItems": 0})]  # always []
