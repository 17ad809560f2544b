"""Typed errors raised by domain and request-handling code, by kind.

An error says what went wrong, not which HTTP status it is. Each error class derives from one **kind**
(``NotFound``, ``Conflict``, ``PreconditionFailed`` ...), and each API maps kinds to statuses in exactly
one place (``fashionos.integration.api`` for the Dashboard Integration API, ``fashionos.partner.http`` for
the Partner API, ``fashionos.identity.oauth`` for the OAuth endpoints). A new area adds classes of the kinds
below in its own ``errors`` module and edits no mapping.

A class may set ``code``: a stable, machine-readable reason (``insufficient_stock``) that a Partner API
problem document carries, for clients to branch on.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """Base class; ``message`` is safe to show to the caller."""

    code: ClassVar[str | None] = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Kinds ---------------------------------------------------------------------------------------


class InvalidRequest(DomainError):
    """The request is malformed: a field, a header, a parameter or the body is wrong."""


class Unauthenticated(DomainError):
    """The caller's credentials are missing, wrong or no longer honoured."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class NotFound(DomainError):
    """No such object for this caller: another org's id is not found, exactly like an unknown one."""


class MethodNotAllowed(DomainError):
    def __init__(self, message: str, allow: str) -> None:
        super().__init__(message)
        self.allow = allow


class Conflict(DomainError):
    """The request is valid but the current state of an object refuses it."""


class Gone(DomainError):
    """What the request names existed but was removed on purpose (a route past its sunset date)."""


class PreconditionFailed(DomainError):
    """A precondition the caller sent (``If-Match``) no longer holds."""


class PayloadTooLarge(DomainError):
    pass


class Unprocessable(DomainError):
    """Well-formed, but refused for what it means (an idempotency key reused for a different request)."""


class TooManyRequests(DomainError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency the request needs is not ready; the caller may retry later."""


# --- The request and the caller ------------------------------------------------------------------


class RouteNotFound(NotFound):
    pass


class InvalidHandshake(Unauthenticated):
    pass


class InvalidToken(Unauthenticated):
    """An access token that must not be honoured; ``reason`` says why (for logs and ``error_description``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InsufficientScope(Forbidden):
    """An authenticated caller without the scope the route requires (RFC 6750 ``insufficient_scope``)."""

    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(f"This route requires the scope {scope}")
        self.scope = scope


class RateLimited(TooManyRequests):
    pass


# --- Retries -------------------------------------------------------------------------------------


class InvalidCombination(Unprocessable):
    """Each field is valid, but together they break a rule of the model (two variants with one sku)."""

    code = "invalid_combination"


class Transient(Conflict):
    """A conflict with other requests still under way: the same request may succeed after ``retry_after``
    seconds (the answer's ``Retry-After``)."""

    retry_after = 1


class Contended(Transient):
    """Concurrent writes to the same items kept this one from committing (DynamoDB's
    ``TransactionConflict``, or a read-modify-write that lost every race); the caller may retry."""

    code = "contended"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"


class IdempotencyInProgress(Transient):
    code = "idempotency_in_progress"


# --- Dashboard usage -----------------------------------------------------------------------------


class ApiKeyNotFound(Forbidden):  # the Integration API's document answers 403 for an unknown key
    pass


class ApiKeyInactive(Forbidden):
    pass


class OwnershipMismatch(Forbidden):
    pass


class UserNotFound(NotFound):
    pass


class PlanNotFound(NotFound):
    pass


class AlreadyExists(Conflict):
    pass


# --- Partner identity ----------------------------------------------------------------------------


class InvalidClient(Unauthenticated):
    """OAuth client authentication failed: unknown client, revoked client or wrong secret, deliberately one
    type so that no caller (and no response) can tell which (RFC 6749 ``invalid_client``)."""


class InvalidApiKey(Unauthenticated):
    """A sandbox API key that must not be honoured: unknown, revoked or wrong secret (one type on purpose)."""


class OrgNotFound(NotFound):
    pass


class DomainNotFound(NotFound):
    pass


class ClientNotFound(NotFound):
    pass


class SigningKeysUnavailable(Unavailable):
    """The signing-key secret holds no usable key (its ``SigningKeys`` custom resource never ran, or someone
    emptied it)."""


# --- OAuth 2.0 endpoints (RFC 6749 §5.2) ---------------------------------------------------------
# They answer ``{"error", "error_description"}`` rather than problem documents; ``error`` is the RFC's code,
# and ``fashionos.identity.oauth`` maps each to its HTTP status.


class OAuthError(DomainError):
    """An RFC 6749 §5.2 error; ``description`` becomes ``error_description`` and is shown to the caller.

    It never holds a secret or a token, and it is written from our own words: RFC 6749 limits
    ``error_description`` to printable ASCII without ``"`` or ``\\``.
    """

    error: ClassVar[str] = "invalid_request"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class OAuthInvalidRequest(OAuthError):
    error = "invalid_request"


class OAuthInvalidClient(OAuthError):
    """Client authentication failed (401 with a Basic challenge)."""

    error = "invalid_client"


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

    def __init__(self, description: str, retry_after: int) -> None:
        super().__init__(description)
        self.retry_after = retry_after


def kind_of(error: DomainError | type[DomainError], mapping: dict[type[DomainError], T]) -> T | None:
    """What ``mapping`` says for ``error``'s nearest class (its own, then its kind's); None if nothing."""
    for cls in (error if isinstance(error, type) else type(error)).__mro__:
        if cls in mapping:
            return mapping[cls]
    return None
