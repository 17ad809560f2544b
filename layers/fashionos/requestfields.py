"""Field types every request model shares (pydantic: imported only by the routes that parse a body)."""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator


def _integral(value: Any) -> Any:
    """A JSON number with no fractional part is an integer (JSON Schema's ``integer``: ``3.0`` is 3)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# A strict model's int, as JSON Schema reads ``integer``: 3 and 3.0 alike; never true, 1.5 or "3".
# Last in an ``Annotated[int, Field(...), INTEGRAL]``, so that the constraints stay in the schema.
INTEGRAL = BeforeValidator(_integral)
