"""Events' errors."""

from fashionos.errors import NotFound


class EventNotFound(NotFound):
    """No such event in the caller's org (another org's id included), or older than the 30 days kept."""
