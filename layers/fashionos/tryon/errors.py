"""Try-on errors, by kind (each API maps kinds, never these classes)."""

from __future__ import annotations

from fashionos.errors import Conflict, Forbidden, InvalidToken, NotFound


class TryOnNotEnabled(Forbidden):
    """The org is not approved for this try-on type (an operator approves it: ``fashionos-admin
    set-tryon``)."""

    code = "tryon_not_enabled"


class SessionNotFound(NotFound):
    """No such session in the caller's org (another org's id included)."""


class SessionEnded(Conflict):
    """The session is no longer active: it was completed, abandoned, revoked or it expired."""

    code = "session_not_active"


class InvalidSessionToken(InvalidToken):
    """A try-on route's bearer token is not a live session token (expired, revoked, or not one at all)."""
