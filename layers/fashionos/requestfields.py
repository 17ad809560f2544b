"""Field types every request model shares (pydantic: imported only by the routes that parse a body)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from fashionos.events.params import DATE_TIME, DATE_TIME_EXAMPLE, DATE_TIME_SCHEMA


def _integral(value: Any) -> Any:
    """A JSON number with no fractional part is an integer (JSON Schema's ``integer``: ``3.0`` is 3)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# A strict model's int, as JSON Schema reads ``integer``: 3 and 3.0 alike; never true, 1.5 or "3".
# Last in an ``Annotated[int, Field(...), INTEGRAL]``, so that the constraints stay in the schema.
INTEGRAL = BeforeValidator(_integral)

_DATE_TIME = re.compile(DATE_TIME)


def _date_time(value: str) -> str:
    if not _DATE_TIME.fullmatch(value):
        raise ValueError(f"must be an RFC 3339 date-time with its offset, e.g. {DATE_TIME_EXAMPLE}")
    return value


# An RFC 3339 date-time with its offset (``events.params.DATE_TIME``), as every route takes one.
DateTime = Annotated[str, AfterValidator(_date_time), WithJsonSchema(DATE_TIME_SCHEMA)]
