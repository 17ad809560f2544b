"""Typed errors raised by domain and request-handling code.

They say what went wrong, not which HTTP status it is: each API maps them to statuses in exactly one place
(``fashionos.integration.api`` for the Dashboard Integration API).
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
