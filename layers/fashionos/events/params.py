"""The path and query parameters of the events routes, declared once for every route that takes them; and
the date-time the event windows take (``since``/``until`` here and in POST /v1/webhooks/{id}/recover)."""

from __future__ import annotations

import re

from fashionos.contract import Param, id_param
from fashionos.events.models import ALL_TYPES

EVENT_ID = id_param("event_id", "evt", "event")

# An RFC 3339 date-time with its offset, as ``event_window`` reads it (``times.parse_rfc3339``): exactly
# the dates the parser takes (no year 0000, no leap second, upper-case T and Z), each month's days, and
# February 29 in leap years only. Without anchors.
_YEAR = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
_LEAP = "(0[48]|[2468][048]|[13579][26])"
_LEAP_YEAR = f"([0-9]{{2}}{_LEAP}|{_LEAP}00)"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?"
_OFFSET = "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
DATE_TIME = f"({_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)T{_TIME}{_OFFSET}"
DATE_TIME_EXAMPLE = "2026-01-31T12:00:00Z"
DATE_TIME_SCHEMA = {"type": "string", "format": "date-time", "pattern": f"^{DATE_TIME}$"}

_TYPE = "|".join(re.escape(type_) for type_ in ALL_TYPES)
TYPE_FILTER = Param(
    "type",
    "Only events of these types, comma-separated (`order.created,order.cancelled`)",
    {"type": "string", "pattern": f"^({_TYPE})(,({_TYPE}))*$"},
)
SINCE = Param(
    "since",
    f"Only events created at or after this time (RFC 3339 with its offset, `{DATE_TIME_EXAMPLE}`; by "
    "default 30 days ago, the oldest kept). Not after `until`",
    DATE_TIME_SCHEMA,
)
UNTIL = Param(
    "until",
    "Only events created at or before this time (RFC 3339 with its offset; by default now). Not before "
    "`since` (by default 30 days ago)",
    DATE_TIME_SCHEMA,
)
DELIVERY_SUCCESS = Param(
    "delivery_success",
    "`false`: only events whose delivery to some endpoint failed for good; `true`: only the others",
    {"type": "string", "enum": ["true", "false"]},
)
EVENT_FILTERS = (TYPE_FILTER, SINCE, UNTIL, DELIVERY_SUCCESS)
