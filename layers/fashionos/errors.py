"""Typed errors raised by domain and request-handling code.

They say what went wrong, not which HTTP status it is: each API maps them to statuses in exactly one place
(``fashionos.integration.api`` for the Dashboard Integration API, ``fashionos.partner.http`` for the Partner
API).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class; ``message`` is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The request itself
class InvalidRequest(DomainError):
    pass


class PayloadTooLarge(DomainError):
    pass


class RouteNotFound(DomainError):
    pass


class MethodNotAllowed(DomainError):
    def __init__(self, message: str, allow: str) -> None:
        super().__init__(message)
        self.allow = allow


# Who is calling
class InvalidHandshake(DomainError):
    pass


class InvalidToken(DomainError):
    """An access token that must not be honoured; ``reason`` says why (for logs and ``error_description``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InsufficientScope(DomainError):
    """An authenticated caller without the scope the route requires (RFC 6750 ``insufficient_scope``)."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"This route requires the scope {scope}")
        self.scope = scope


class RateLimited(DomainError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# What the caller names
class ApiKeyNotFound(DomainError):
    pass


class ApiKeyInactive(DomainError):
    pass


class OwnershipMismatch(DomainError):
    pass


class UserNotFound(DomainError):
    pass


class PlanNotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


# Retries
class IdempotencyKeyReused(DomainError):
    pass


class IdempotencyInProgress(DomainError):
    pass


# Partner identity
class InvalidClient(DomainError):
    """OAuth client authentication failed: unknown client, revoked client or wrong secret, deliberately one
    type so that no caller (and no response) can tell which (RFC 6749 ``invalid_client``)."""


class InvalidApiKey(DomainError):
    """A sandbox API key that must not be honoured: unknown, revoked or wrong secret (one type on purpose)."""


class OrgNotFound(DomainError):
    pass


class ClientNotFound(DomainError):
    pass


class WebhookNotFound(DomainError):
    """No such webhook subscription in the caller's org (another org's id included)."""


class WebhookDisabled(DomainError):
    """The subscription is disabled (by its org, by a 410 Gone, or after failing for days): nothing is sent
    to it until it is enabled again."""


class EventNotFound(DomainError):
    """No such event in the caller's org (another org's id included), or older than the 30 days kept."""


# OAuth 2.0 endpoints (RFC 6749 §5.2): errors that carry their own wire code, because the OAuth endpoints
# answer with ``{"error", "error_description"}`` rather than the Partner API's problem documents.
class OAuthError(DomainError):
    """An RFC 6749 §5.2 error; ``description`` becomes ``error_description`` and is shown to the caller.

    It never holds a secret or a token, and it is written from our own words: RFC 6749 limits
    ``error_description`` to printable ASCII without ``"`` or ``\\``.
    """

    error: str = "invalid_request"
    status: int = 400

    def __init__(self, description: str, *, www_authenticate: str | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.www_authenticate = www_authenticate


class OAuthInvalidRequest(OAuthError):
    error = "invalid_request"


class OAuthInvalidClient(OAuthError):
    """Client authentication failed; always 401 with a Basic challenge.

    RFC 6749 §5.2 requires the challenge when the client used Basic and allows it otherwise; RFC 9110
    §15.5.2 requires one on every 401, and it tells a client that sent nothing which scheme we accept.
    """

    error = "invalid_client"
    status = 401
    CHALLENGE = 'Basic realm="fashionos"'

    def __init__(self, description: str) -> None:
        super().__init__(description, www_authenticate=self.CHALLENGE)


class OAuthUnauthorizedClient(OAuthError):
    """An authenticated client that may not use this grant type."""

    error = "unauthorized_client"


class OAuthUnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class OAuthInvalidScope(OAuthError):
    """A scope that is malformed, or not granted to the client."""

    error = "invalid_scope"


class OAuthTooManyAttempts(OAuthError):
    """Too many failed client authentications in the window: 429 with ``Retry-After`` (RFC 6749 has no
    code for this; ``temporarily_unavailable`` is the closest registered one)."""

    error = "temporarily_unavailable"
    status = 429

    def __init__(self, description: str, retry_after: int) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class SigningKeysUnavailable(DomainError):
    """The signing-key secret holds no usable key (its ``SigningKeys`` custom resource never ran, or someone
    emptied it)."""
