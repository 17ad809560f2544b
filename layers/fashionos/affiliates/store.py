"""DynamoDB access for affiliates: the only module of this area that talks to boto3.

One table (``AffiliateTable``). A viral link must not be bound to one partition's 1,000 writes a second, so
everything a click writes has a key of its own or one of several: only the link and its short code, which
the click path reads, are one item each.

- ``ORG#{org}`` / ``LINK#{lnk}``: a link (``version`` +1 per change); an org's links are one Query;
- ``CODE#{code}`` / ``CODE``: the short code's redirect record, the link denormalised (written in the same
  transaction as the link, so the redirect is one GetItem);
- ``CLICK#{clk}`` / ``ORG#{org}``: a click (TTL: its attribution window and a margin); another org's click
  is simply not found. Under the same key, ``CONV`` (a conversion without an order) and
  ``CONV#{order_id}``: one conversion per click and order;
- ``LINK#{lnk}#SHARD#{nn}`` / ``DAY#{yyyy-mm-dd}``: a link's counters of one day on one of its write shards
  (``ADD clicks``, ``unique_clicks``, ``bot_clicks``, ``conversions``, ``revenue_{currency}``); stats are
  one Query per shard, summed;
- ``VISITOR#{lnk}#{day}#{ip hash}`` / ``VISITOR``: a visitor's first click on a link that day (TTL 2 days);
- ``SALT#{day}`` / ``SALT``: the day's random key of the IP hashes (TTL 2 days: then no hash of that day can
  be linked to an address again);
- ``RATE#redirect:{ip hash}#{window}`` / ``RATE``: the redirect's per-IP windows (``fashionos.ratelimit``).
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError

from fashionos.affiliates.records import (
    CLICK_RETENTION_MARGIN_SECONDS,
    DAY_SECONDS,
    Click,
    Conversion,
    Link,
    LinkStatus,
    ShortCode,
    Stats,
    Utm,
    summed,
)
from fashionos.aws import condition_failed, query_items, query_page, scan_items, versioned_update
from fashionos.aws import number as _n
from fashionos.aws import string as _s
from fashionos.idempotency import transact_with_claim
from fashionos.percontainer import per_container

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, ScanInputTypeDef, TransactWriteItemTypeDef

Item = dict[str, Any]
T = TypeVar("T")
MARKER_SECONDS = 2 * DAY_SECONDS  # visitor markers and salts: their day, and a day of clock skew
STATS_THREADS = 16  # concurrent Queries of one stats read (a page of links times their shards)


def link_key(org_id: str, link_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"LINK#{link_id}")}


def code_key(code: str) -> Item:
    return {"pk": _s(f"CODE#{code}"), "sk": _s("CODE")}


def click_key(org_id: str, click_id: str) -> Item:
    return {"pk": _s(f"CLICK#{click_id}"), "sk": _s(f"ORG#{org_id}")}


def conversion_key(click_id: str, order_id: str | None) -> Item:
    return {"pk": _s(f"CLICK#{click_id}"), "sk": _s("CONV" if order_id is None else f"CONV#{order_id}")}


def counter_key(link_id: str, shard: int, day: str) -> Item:
    return {"pk": _s(f"LINK#{link_id}#SHARD#{shard:02d}"), "sk": _s(f"DAY#{day}")}


def visitor_key(link_id: str, day: str, ip_hash: str) -> Item:
    return {"pk": _s(f"VISITOR#{link_id}#{day}#{ip_hash}"), "sk": _s("VISITOR")}


def salt_key(day: str) -> Item:
    return {"pk": _s(f"SALT#{day}"), "sk": _s("SALT")}


def _optional(item: Item, name: str, value: str | None) -> None:
    if value is not None:
        item[name] = _s(value)


def _text(item: Item, name: str) -> str | None:
    return item[name]["S"] if name in item else None


# --- items <-> records ---------------------------------------------------------------------------


def _link_item(link: Link) -> Item:
    item: Item = {
        **link_key(link.org_id, link.link_id),
        "code": _s(link.code),
        "destination_url": _s(link.destination_url),
        "utm": {"M": {name: _s(value) for name, value in link.utm.given().items()}},
        "attribution_window_days": _n(link.attribution_window_days),
        "status": _s(link.status),
        "shards": _n(link.shards),
        "version": _n(link.version),
        "created_at": _s(link.created_at),
        "updated_at": _s(link.updated_at),
    }
    _optional(item, "product_id", link.product_id)
    _optional(item, "campaign", link.campaign)
    if link.expires_at is not None:  # not ``expires_at``: that is the table's TTL attribute
        item["link_expires_at"] = _n(link.expires_at)
    return item


def _link(item: Item) -> Link:
    utm = item["utm"]["M"]
    return Link(
        link_id=item["sk"]["S"].removeprefix("LINK#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        code=item["code"]["S"],
        destination_url=item["destination_url"]["S"],
        product_id=_text(item, "product_id"),
        campaign=_text(item, "campaign"),
        utm=Utm(**{name: value["S"] for name, value in utm.items()}),
        attribution_window_days=int(item["attribution_window_days"]["N"]),
        expires_at=int(item["link_expires_at"]["N"]) if "link_expires_at" in item else None,
        status=cast(LinkStatus, item["status"]["S"]),
        shards=int(item["shards"]["N"]),
        version=int(item["version"]["N"]),
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
    )


def _code_item(code: ShortCode) -> Item:
    item: Item = {
        **code_key(code.code),
        "org_id": _s(code.org_id),
        "link_id": _s(code.link_id),
        "target": _s(code.target),
        "status": _s(code.status),
        "attribution_window_days": _n(code.attribution_window_days),
        "shards": _n(code.shards),
    }
    _optional(item, "campaign", code.campaign)
    _optional(item, "product_id", code.product_id)
    if code.expires_at is not None:
        item["link_expires_at"] = _n(code.expires_at)
    return item


def _code(item: Item) -> ShortCode:
    return ShortCode(
        code=item["pk"]["S"].removeprefix("CODE#"),
        org_id=item["org_id"]["S"],
        link_id=item["link_id"]["S"],
        target=item["target"]["S"],
        status=cast(LinkStatus, item["status"]["S"]),
        expires_at=int(item["link_expires_at"]["N"]) if "link_expires_at" in item else None,
        attribution_window_days=int(item["attribution_window_days"]["N"]),
        shards=int(item["shards"]["N"]),
        campaign=_text(item, "campaign"),
        product_id=_text(item, "product_id"),
    )


def _click(item: Item) -> Click:
    return Click(
        click_id=item["pk"]["S"].removeprefix("CLICK#"),
        org_id=item["sk"]["S"].removeprefix("ORG#"),
        link_id=item["link_id"]["S"],
        campaign=_text(item, "campaign"),
        product_id=_text(item, "product_id"),
        bot=item["bot"]["BOOL"],
        unique=item["unique"]["BOOL"],
        at=float(item["at"]["N"]),
        attribution_window_days=int(item["attribution_window_days"]["N"]),
        shards=int(item["shards"]["N"]),
        ip_hash=item["ip_hash"]["S"],
    )


def _conversion(item: Item) -> Conversion:
    return Conversion(
        conversion_id=item["conversion_id"]["S"],
        org_id=item["org_id"]["S"],
        click_id=item["pk"]["S"].removeprefix("CLICK#"),
        link_id=item["link_id"]["S"],
        order_id=_text(item, "order_id"),
        amount=int(item["amount"]["N"]),
        currency=item["currency"]["S"],
        occurred_at=item["occurred_at"]["S"],
        created_at=item["created_at"]["S"],
    )


def _counters(item: Item) -> dict[str, int]:
    return {name: int(value["N"]) for name, value in item.items() if "N" in value}


# --- the store -----------------------------------------------------------------------------------


class AffiliateStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self.table = table

    # reads

    def _get(self, key: Item, *, consistent: bool = True) -> Item | None:
        return self._db.get_item(TableName=self.table, Key=key, ConsistentRead=consistent).get("Item")

    def code(self, code: str) -> ShortCode | None:
        """The redirect record (eventually consistent: half the read cost of a hot link's one item)."""
        item = self._get(code_key(code), consistent=False)
        return _code(item) if item else None

    def link(self, org_id: str, link_id: str) -> Link | None:
        item = self._get(link_key(org_id, link_id))
        return _link(item) if item else None

    def links(
        self, org_id: str, campaign: str | None, limit: int, after: str | None
    ) -> tuple[list[Link], bool]:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _s(f"ORG#{org_id}"), ":prefix": _s("LINK#")},
        }
        if campaign is None:
            query["Limit"] = limit + 1
        else:  # with a filter, DynamoDB's Limit counts the items read, not those that match
            query["FilterExpression"] = "#campaign = :campaign"
            query["ExpressionAttributeNames"] = {"#campaign": "campaign"}
            query["ExpressionAttributeValues"][":campaign"] = _s(campaign)  # type: ignore[index]
        if after is not None:
            query["ExclusiveStartKey"] = link_key(org_id, after)
        return query_page(self._db, query, limit, _link)

    def click(self, org_id: str, click_id: str) -> Click | None:
        item = self._get(click_key(org_id, click_id))
        return _click(item) if item else None

    def conversion(self, click_id: str, order_id: str | None) -> Conversion | None:
        item = self._get(conversion_key(click_id, order_id))
        return _conversion(item) if item else None

    def stats(self, links: Sequence[Link], first_day: str | None, last_day: str | None) -> dict[str, Stats]:
        """Each link's counters of the days in ``[first_day, last_day]`` (every day when None), summed over
        its shards: one Query per shard, run side by side."""
        if first_day is not None and last_day is not None and first_day > last_day:
            return {link.link_id: Stats() for link in links}
        low, high = f"DAY#{first_day or '0000-00-00'}", f"DAY#{last_day or '9999-99-99'}"
        shards = [(link.link_id, shard) for link in links for shard in range(link.shards)]

        def shard_counters(job: tuple[str, int]) -> list[dict[str, int]]:
            link_id, shard = job
            pages = self._db.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues={
                    ":pk": counter_key(link_id, shard, "")["pk"],
                    ":low": _s(low),
                    ":high": _s(high),
                },
            )
            return [_counters(item) for page in pages for item in page.get("Items", [])]

        found = _side_by_side(shard_counters, shards)
        return {
            link.link_id: summed(
                counter
                for (link_id, _), counters in zip(shards, found, strict=True)
                if link_id == link.link_id
                for counter in counters
            )
            for link in links
        }

    # everything of an org (its export and its erasure)

    def org_links(self, org_id: str) -> Iterator[Link]:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _s(f"ORG#{org_id}"), ":prefix": _s("LINK#")},
            "ConsistentRead": True,
        }
        return (_link(item) for item in query_items(self._db, query))

    def clicks_and_conversions(self, org_id: str) -> Iterator[Click | Conversion]:
        """The org's clicks and their conversions. Clicks are keyed by their own id (a viral link's clicks
        must not share a partition), so this is a Scan of the table: for exports only."""
        scan: ScanInputTypeDef = {
            "TableName": self.table,
            "FilterExpression": "begins_with(pk, :click) "
            "AND (sk = :org OR (begins_with(sk, :conv) AND org_id = :id))",
            "ExpressionAttributeValues": {
                ":click": _s("CLICK#"),
                ":org": _s(f"ORG#{org_id}"),
                ":conv": _s("CONV"),
                ":id": _s(org_id),
            },
        }
        return (
            _click(item) if item["sk"]["S"].startswith("ORG#") else _conversion(item)
            for item in scan_items(self._db, scan)
        )

    @staticmethod
    def belongs(item: Item, org_id: str, link_ids: Collection[str]) -> bool:
        """Whether an item is the org's to erase: its links (its partition), their short codes, counters
        and visitor marks, its clicks and their conversions."""
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if pk == f"ORG#{org_id}" or sk == f"ORG#{org_id}" or item.get("org_id") == _s(org_id):
            return True
        kind, _, rest = pk.partition("#")
        return kind in ("LINK", "VISITOR") and rest.split("#")[0] in link_ids

    # the click path: conditional single writes, never a read-modify-write

    def salt(self, day: str, new: bytes) -> bytes:
        """The day's salt: the stored one, else ``new`` (stored, unless another container stored one
        first: then that one)."""
        item = self._get(salt_key(day))
        if item is None:
            try:
                self._db.put_item(
                    TableName=self.table,
                    Item={**salt_key(day), "salt": {"B": new}, "expires_at": _n(_day_end(day) + DAY_SECONDS)},
                    ConditionExpression="attribute_not_exists(pk)",
                )
                return new
            except ClientError as error:
                if not condition_failed(error):
                    raise
            item = self._get(salt_key(day))
            assert item is not None  # stored by the put that beat ours
        return bytes(item["salt"]["B"])

    def first_visit(self, link_id: str, day: str, ip_hash: str) -> bool:
        """Whether this is the visitor's first click on the link today (it is marked so, once)."""
        try:
            self._db.put_item(
                TableName=self.table,
                Item={**visitor_key(link_id, day, ip_hash), "expires_at": _n(_day_end(day) + DAY_SECONDS)},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    # writes (TransactWriteItems entries)

    def transact(
        self, items: list[TransactWriteItemTypeDef], claim: TransactWriteItemTypeDef | None = None
    ) -> None:
        """``items`` (and an idempotency claim) in one transaction: see ``transact_with_claim``."""
        transact_with_claim(self._db, items, claim)

    def new_link(self, link: Link) -> list[TransactWriteItemTypeDef]:
        """The link and its short code (index 1: fails when the code is taken)."""
        return [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _link_item(link),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _code_item(link.short_code()),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]

    def changed_link(self, before: Link, after: Link) -> list[TransactWriteItemTypeDef]:
        """What ``after`` changes of the link, if it is still at ``before.version``, and its short code's
        record made again from it."""
        key = link_key(before.org_id, before.link_id)
        update = versioned_update(self.table, key, _link_item(before), _link_item(after), before.version)
        return [
            update,
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _code_item(after.short_code()),
                    "ConditionExpression": "link_id = :me",
                    "ExpressionAttributeValues": {":me": _s(after.link_id)},
                }
            },
        ]

    def put_click(self, click: Click) -> TransactWriteItemTypeDef:
        item: Item = {
            **click_key(click.org_id, click.click_id),
            "link_id": _s(click.link_id),
            "bot": {"BOOL": click.bot},
            "unique": {"BOOL": click.unique},
            "at": _n(click.at),
            "attribution_window_days": _n(click.attribution_window_days),
            "shards": _n(click.shards),
            "ip_hash": _s(click.ip_hash),
            "expires_at": _n(math.ceil(click.attribution_ends + CLICK_RETENTION_MARGIN_SECONDS)),
        }
        _optional(item, "campaign", click.campaign)
        _optional(item, "product_id", click.product_id)
        return {
            "Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        }

    def put_conversion(self, conversion: Conversion, expires_at: float) -> TransactWriteItemTypeDef:
        """The conversion, once per click and order (index: fails when the click has it already)."""
        item: Item = {
            **conversion_key(conversion.click_id, conversion.order_id),
            "conversion_id": _s(conversion.conversion_id),
            "org_id": _s(conversion.org_id),
            "link_id": _s(conversion.link_id),
            "amount": _n(conversion.amount),
            "currency": _s(conversion.currency),
            "occurred_at": _s(conversion.occurred_at),
            "created_at": _s(conversion.created_at),
            "expires_at": _n(math.ceil(expires_at)),
        }
        _optional(item, "order_id", conversion.order_id)
        return {
            "Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        }

    def count(self, link_id: str, shard: int, day: str, adds: Mapping[str, int]) -> TransactWriteItemTypeDef:
        """``ADD`` each of ``adds`` to one shard's counters of the day (creating them at 0)."""
        names = {f"#c{i}": name for i, name in enumerate(adds)}
        values = {f":c{i}": _n(value) for i, value in enumerate(adds.values())}
        expression = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(adds)))
        return {
            "Update": {
                "TableName": self.table,
                "Key": counter_key(link_id, shard, day),
                "UpdateExpression": expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }


def _day_end(day: str) -> int:
    """The epoch second a UTC day (``YYYY-MM-DD``) ends."""
    start = datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)
    return int(start.timestamp()) + DAY_SECONDS


@per_container
def _threads() -> ThreadPoolExecutor:
    """The container's threads for stats reads (made on the first, kept: no thread start per request)."""
    return ThreadPoolExecutor(max_workers=STATS_THREADS, thread_name_prefix="stats")


def _side_by_side(run: Callable[[T], list[dict[str, int]]], jobs: Sequence[T]) -> list[list[dict[str, int]]]:
    """``run`` of each job, in order: in threads when there are several (each in a copy of the caller's
    context, as the local stack's IAM check follows a function's calls)."""
    if len(jobs) <= 1:
        return [run(job) for job in jobs]
    futures = [_threads().submit(contextvars.copy_context().run, run, job) for job in jobs]
    return [future.result() for future in futures]
