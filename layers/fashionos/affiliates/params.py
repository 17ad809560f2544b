"""The path and query parameters of the affiliate routes, declared once for every route that takes them.

Each schema states the check the service makes of the value: an id that cannot be one is not found (404),
a day that is not a date is a 400, a cursor is the last link id of a page.
"""

from __future__ import annotations

from fashionos.contract import Param, id_param
from fashionos.ids import ID_BODY

LINK_ID = id_param("link_id", "lnk", "link")
LINK_CURSOR = f"lnk_{ID_BODY}"  # links.LINK_ID
# Any string: a code nobody has (or could have) is the redirect's 404 page, like an unknown one.
CODE = Param("code", "The link's short code", {"type": "string"}, required=True)

# A calendar day (RFC 3339 full-date): each month's days, 29 in February (``format: date`` says which years
# have it); years 0001-9999, as Python's dates.
_YEAR = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31|02-29)"
DATE = f"{_YEAR}-{_MONTH_DAY}"
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": f"^{DATE}$"}
FROM = Param(
    "from",
    "Stats from this day on (UTC, `2026-01-31`; by default since the link's first click). A range whose "
    "`from` is after its `to` counts nothing",
    DATE_SCHEMA,
)
TO = Param("to", "Stats up to this day, included (UTC; by default today)", DATE_SCHEMA)
CAMPAIGN_FILTER = Param(
    "campaign", "Only the links of this campaign (exactly as created)", {"type": "string"}
)
