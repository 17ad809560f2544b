"""Deprecated routes and request fields: the one place one is declared, with its dates and replacement.

From its deprecation date, every response of a deprecated route (or of a request that sends a deprecated
field) carries ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and ``Link: <...>; rel="deprecation"``, and
each such call is counted per client (``fashionos-admin deprecated-usage`` lists who to warn). From its sunset
date, at least ``MIN_NOTICE`` later, it answers 410 Gone naming its replacement. ``make openapi`` marks it
``deprecated`` in the documents from the day it is declared here.

A deprecation can also come from the ``FASHIONOS_DEPRECATIONS`` environment variable (a JSON list of
``{"route", "deprecated_on", "sunset_on", "replacement", "field"?}``): how the tests deprecate a route on the
local stack, since nothing real needs deprecating yet.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from fashionos import aws
from fashionos.errors import Gone

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef

MIN_NOTICE = timedelta(days=90)  # the partner document: "at least 90 days notice"
DOCS = "https://docs.fashionos.dev/deprecations"
ENVIRONMENT = "FASHIONOS_DEPRECATIONS"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
USAGE_PK = "DEPRECATED"  # one partition of the API's table holds every deprecated call count


class Sunset(Gone):
    """The route (or the field) is past its sunset date: the detail names what replaces it."""

    code = "sunset"

    def __init__(self, message: str, headers: Mapping[str, str]) -> None:
        super().__init__(message)
        self.headers = dict(headers)  # the deprecation's own, on the refusal too


@dataclass(frozen=True, slots=True)
class Deprecation:
    route: str  # "GET /v1/me": the method and the path as template.yaml routes it
    deprecated_on: date  # its responses carry the headers (and calls are counted) from this day
    sunset_on: date  # 410 Gone from this day: at least MIN_NOTICE after deprecated_on
    replacement: str  # what to use instead, as a developer would search for it ("GET /v1/profile")
    field: str | None = None  # a query parameter or top-level body member of the route, not the route

    def __post_init__(self) -> None:
        method, _, path = self.route.partition(" ")
        if method not in METHODS or not path.startswith("/") or " " in path:
            raise ValueError(f"{self.route!r}: a route is 'METHOD /path', e.g. 'GET /v1/me'")
        if self.sunset_on - self.deprecated_on < MIN_NOTICE:
            raise ValueError(
                f"{self.name}: the sunset ({self.sunset_on}) must be at least {MIN_NOTICE.days} days after "
                f"the deprecation ({self.deprecated_on})"
            )

    @property
    def method(self) -> str:
        return self.route.partition(" ")[0]

    @property
    def path(self) -> str:
        return self.route.partition(" ")[2]

    @property
    def name(self) -> str:
        """What is deprecated: the route, or the field of the route."""
        return f"{self.route} field {self.field}" if self.field else self.route

    @property
    def link(self) -> str:
        """Its entry in the deprecation documentation."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"{DOCS}#{slug}"

    def in_effect(self, today: date) -> bool:
        return today >= self.deprecated_on

    def gone(self, today: date) -> bool:
        return today >= self.sunset_on

    def headers(self) -> dict[str, str]:
        since = datetime(*self.deprecated_on.timetuple()[:3], tzinfo=UTC)
        sunset = datetime(*self.sunset_on.timetuple()[:3], tzinfo=UTC)
        return {
            "Deprecation": f"@{int(since.timestamp())}",  # RFC 9745: a structured-field Date
            "Sunset": format_datetime(sunset, usegmt=True),  # RFC 8594: an HTTP-date
            "Link": f'<{self.link}>; rel="deprecation"; type="text/html"',
        }

    def refusal(self) -> Sunset:
        return Sunset(
            f"{self.name} was removed on {self.sunset_on.isoformat()}: use {self.replacement} instead "
            f"(see {self.link})",
            self.headers(),
        )

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Deprecation:
        return cls(
            route=str(value["route"]),
            deprecated_on=date.fromisoformat(str(value["deprecated_on"])),
            sunset_on=date.fromisoformat(str(value["sunset_on"])),
            replacement=str(value["replacement"]),
            field=None if value.get("field") is None else str(value["field"]),
        )


# Nothing is deprecated yet. To deprecate a route, add
#   Deprecation("GET /v1/old", date(2027, 1, 4), date(2027, 4, 5), "GET /v1/new"),
# (with field="name" for one query parameter or body member of it), note it in CHANGELOG.md, and run
# `make openapi`.
DEPRECATIONS: tuple[Deprecation, ...] = ()


@cache
def registry() -> tuple[Deprecation, ...]:
    """``DEPRECATIONS`` and those of ``FASHIONOS_DEPRECATIONS`` (read once per container)."""
    configured = json.loads(os.environ.get(ENVIRONMENT) or "[]")
    return DEPRECATIONS + tuple(Deprecation.from_json(value) for value in configured)


def check(
    method: str,
    route: str,
    query: Mapping[str, str],
    body: Callable[[], Mapping[str, Any] | None],
    *,
    table: str,
    caller: str,
    org_id: str | None = None,
) -> Deprecation | None:
    """The deprecation in effect that a request runs into — its route's, else one of a field it sends
    (``body``: its JSON object, when it has one) — counted for ``caller`` in ``table``; ``Sunset`` (410)
    once it is past its sunset date."""
    candidates = [d for d in registry() if d.method == method and d.path == route]
    if not candidates:
        return None
    fields = [*query, *(body() or {})] if any(d.field for d in candidates) else []
    found = next((d for d in candidates if d.field is None or d.field in fields), None)
    if found is None or not found.in_effect(today()):
        return None
    count(aws.dynamodb(), table, found, caller, org_id)
    if found.gone(today()):
        raise found.refusal()
    return found


def today() -> date:
    return datetime.now(UTC).date()


def count(
    client: DynamoDBClient, table: str, deprecation: Deprecation, caller: str, org_id: str | None
) -> None:
    """One more call of ``deprecation`` by ``caller`` (a client id), in one atomic ``ADD``."""
    values: dict[str, Any] = {
        ":one": {"N": "1"},
        ":now": {"S": datetime.now(UTC).isoformat(timespec="seconds")},
        ":name": {"S": deprecation.name},
        ":caller": {"S": caller},
    }
    update = (
        "ADD calls :one SET deprecation = :name, caller = :caller, last_called_at = :now, "
        "first_called_at = if_not_exists(first_called_at, :now)"
    )
    if org_id:
        update += ", org_id = :org"
        values[":org"] = {"S": org_id}
    client.update_item(
        TableName=table,
        Key={"pk": {"S": USAGE_PK}, "sk": {"S": f"{deprecation.name}#{caller}"}},
        UpdateExpression=update,
        ExpressionAttributeValues=values,
    )


def usage(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    """Every (deprecation, caller) counted in ``table``: who called what, how often, first and last."""

    def row(item: dict[str, Any]) -> dict[str, Any]:
        found = {
            "deprecation": item["deprecation"]["S"],
            "caller": item["caller"]["S"],
            "calls": int(item["calls"]["N"]),
            "first_called_at": item["first_called_at"]["S"],
            "last_called_at": item["last_called_at"]["S"],
        }
        return {**found, "org_id": item["org_id"]["S"]} if "org_id" in item else found

    query: QueryInputTypeDef = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": USAGE_PK}},
        "ConsistentRead": True,
    }
    return aws.query_all(client, query, row)
