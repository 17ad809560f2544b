"""Times are RFC 3339, UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
