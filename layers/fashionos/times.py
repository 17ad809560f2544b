"""Times are RFC 3339, UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339_now() -> str:
    return rfc3339(datetime.now(UTC).timestamp())


def rfc3339(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_rfc3339(value: str) -> float:
    """Epoch seconds of an RFC 3339 date-time with an explicit offset (``Z`` or ``±hh:mm``); ValueError
    otherwise."""
    parsed = datetime.fromisoformat(value)
    if "T" not in value.upper() or parsed.tzinfo is None:
        raise ValueError(f"{value!r} is not an RFC 3339 date-time with a time zone")
    return parsed.timestamp()
