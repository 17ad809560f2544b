"""Commerce warm paths: a product upsert and a 3-line order, each through its handler vs the same DynamoDB
calls replayed raw (``bench.warmpath.measure_changes``).

Both are writes whose conditions hold once: an upsert replaces the listing at the version it read, an order
creates an order id (and its event and stock records) that must be new, and both move the event sequence of
what they change. So the baseline is not one recorded request replayed again and again: it is each
request's own calls, pointed at a twin. The bench sets up two storefronts of the demo org through the API,
request by request alike (the same listings, the same stock, so the same versions, counts and sequences);
the handler changes the first, and each request's recorded calls are replayed on the second, its ids
swapped for the twin's (storefront, listings) and what the request created given new ids (order, event,
stock records). Every condition the handler's calls met then holds for the replay, and every write
writes. Afterwards both storefronts must be alike (versions, titles, stock): the twin moved in lockstep.
What a request or a replay created (``tidy``) is deleted after it, untimed, so the tables keep their size.

The requests carry a Bearer token of an OAuth client of the org on the ``burst-5k`` tier: a sandbox key's
100 requests a minute would refuse most of them with 429.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.awscalls import Call, remapped
from bench.devstack import DevStack
from bench.warmpath import SOURCE_IP, WARMUP, TimedGateway, WarmChange, measure_changes
from fashionos import aws
from fashionos.commerce.store import CommerceStore
from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import PartnerService
from fashionos.ids import prefixed_id
from fashionos.settings import commerce_settings

RATE_TIER = "burst-5k"
UPSERT_SKU = "BENCH-TEE"
TITLES = ("Bench tee (a)", "Bench tee (b)")  # alternated: every upsert changes the listing
ORDER_SKUS = ("BENCH-A", "BENCH-B", "BENCH-C")  # one line each, quantity 1
STOCK = 1_000_000  # on hand per order sku: more than any run orders
HANDLES = ("@bench_ours", "@bench_twin")
# A storefront's, a listing's, an order's, an event's and a stock record's ids: prefixed ULIDs.
ID = re.compile(r"\b(sf|prd|ord|evt|adj)_[0-9A-HJKMNP-TV-Z]{26}\b")
NEW_PER_REQUEST = frozenset({"ord", "evt", "adj"})


@dataclass(frozen=True, slots=True)
class Commerce:
    upsert: WarmChange
    order: WarmChange
    mismatches: list[str]  # how the twin differs from the handler's storefront afterwards (none: lockstep)


class Api:
    """Setup requests through the gateway (untimed), as the bench's OAuth client."""

    def __init__(self, gateway: TimedGateway) -> None:
        self.gateway = gateway
        self.headers: dict[str, str] = {}

    def call(self, method: str, path: str, body: Any, expect: int) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", **self.headers}
        status, _, reply = self.gateway.invoke(method, path, headers, json.dumps(body).encode(), SOURCE_IP)
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status}, not {expect}: {reply[:500]!r}")
        parsed: dict[str, Any] = json.loads(reply)
        return parsed


def authorized(gateway: TimedGateway, partners: PartnerService, org_id: str) -> Api:
    """An ``Api`` with the Bearer token of a new OAuth client of ``org_id`` (every scope, ``RATE_TIER``)."""
    api = Api(gateway)
    client, secret = partners.create_client(org_id, KNOWN_SCOPES, RATE_TIER)
    grant = {"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": secret}
    api.headers["Authorization"] = "Bearer " + api.call("POST", "/oauth/token", grant, 200)["access_token"]
    return api


def listing(sku: str, title: str) -> dict[str, Any]:
    return {"sku": sku, "title": title, "price": {"amount": 2500, "currency": "EUR"}, "status": "active"}


def twin_of(
    twins: Mapping[str, str], ids: re.Pattern[str] = ID, new: frozenset[str] = NEW_PER_REQUEST
) -> Callable[[list[Call]], list[Call]]:
    """Recorded calls -> the same calls on the twin: every id of ours (a match of ``ids``) swapped for its
    twin's, every id the request created (its prefix, group 1, in ``new``) for a new one (the same one
    wherever it occurs in the request)."""

    def twin(calls: list[Call]) -> list[Call]:
        created: dict[str, str] = {}

        def swap(match: re.Match[str]) -> str:
            found, prefix = match[0], match[1]
            if found in twins:
                return twins[found]
            if prefix in new:
                return created.setdefault(found, prefixed_id(prefix))
            raise RuntimeError(f"a request used {found}, which has no twin")

        # botocore filled in the transaction's ClientRequestToken (in the handler's own parameters, which
        # were recorded): DynamoDB would answer a second use with other parameters with
        # IdempotentParameterMismatch (moto ignores it). Left out, botocore makes a new one, as it did for
        # the handler.
        return [
            Call(
                call.operation,
                {k: v for k, v in call.params.items() if k != "ClientRequestToken"},
                call.seconds,
            )
            for call in remapped(calls, lambda text: ids.sub(swap, text))
        ]

    return twin


def tidy(calls: list[Call]) -> None:
    """Delete what a request (or its replay) created, keyed by an id it made: an order, its stock records,
    its event and the event's sequence item. Nothing reads them again, and moto copies a whole table for
    each item of a transaction: as the tables grew, every TransactWriteItems would get slower."""
    delete(created(calls))


def created(
    calls: list[Call], ids: re.Pattern[str] = ID, new: frozenset[str] = NEW_PER_REQUEST
) -> list[tuple[str, Any]]:
    """(table, key) of each item a transaction of ``calls`` wrote under a key with an id it made (a match
    of ``ids`` whose prefix, group 1, is in ``new``)."""
    found: list[tuple[str, Any]] = []
    for call in calls:
        if call.operation != "TransactWriteItems":
            continue
        for entry in call.params["TransactItems"]:
            ((kind, write),) = entry.items()
            key = {"pk": write["Item"]["pk"], "sk": write["Item"]["sk"]} if kind == "Put" else write["Key"]
            if any(m[1] in new for value in key.values() for m in ids.finditer(value["S"])):
                found.append((write["TableName"], key))
    return found


def delete(keys: list[tuple[str, Any]]) -> None:
    """Delete these (table, key) items, 25 a BatchWriteItem."""
    client = aws.dynamodb()
    for start in range(0, len(keys), 25):
        request: Any = {}
        for table, key in keys[start : start + 25]:
            request.setdefault(table, []).append({"DeleteRequest": {"Key": key}})
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems")


def measure(gateway: TimedGateway, stack: DevStack, samples: int, warmup: int = WARMUP) -> Commerce:
    """Set the two storefronts up, then measure the upsert and the order (``measure_changes``)."""
    partners = PartnerService(PartnerStore(aws.dynamodb(), stack.outputs["PartnerTableName"]))
    api = authorized(gateway, partners, str(stack.credentials["org_id"]))

    # Each step on ours, then the same on the twin.
    ours, twin = (
        api.call(
            "POST",
            "/v1/storefronts",
            {"handle": handle, "name": "Bench", "currency": "EUR", "visibility": "public"},
            201,
        )["id"]
        for handle in HANDLES
    )
    twins = {ours: twin}
    products: dict[str, tuple[str, str]] = {}  # sku -> (our product id, the twin's)
    for sku in (UPSERT_SKU, *ORDER_SKUS):
        mine, its = (
            api.call("POST", f"/v1/storefronts/{sf}/products", listing(sku, "Bench tee"), 201)["id"]
            for sf in (ours, twin)
        )
        twins[mine] = its
        products[sku] = (mine, its)
    for sku in ORDER_SKUS:
        for sf in (ours, twin):
            api.call("PUT", f"/v1/inventory/{sf}/{sku}", {"on_hand": STOCK}, 200)

    headers = dict(api.headers)
    upserts = itertools.count()
    upsert_path = f"/v1/storefronts/{ours}/products"

    def upsert() -> None:
        body = json.dumps(listing(UPSERT_SKU, TITLES[next(upserts) % 2])).encode()
        _expect(gateway.post(upsert_path, body, headers), 200, upsert_path)

    order_body = json.dumps(
        {"storefront_id": ours, "lines": [{"sku": sku, "quantity": 1} for sku in ORDER_SKUS]}
    ).encode()

    def order() -> None:
        _expect(gateway.post("/v1/orders", order_body, headers), 201, "/v1/orders")

    same = twin_of(twins)
    upserted = measure_changes(gateway, upsert, same, samples, warmup, tidy)
    ordered = measure_changes(gateway, order, same, samples, warmup, tidy)
    return Commerce(upserted, ordered, _mismatches(ours, twin, products))


def _mismatches(ours: str, twin: str, products: Mapping[str, tuple[str, str]]) -> list[str]:
    store = CommerceStore(aws.dynamodb(), commerce_settings().commerce_table_name)
    found = []
    mine, its = (store.product(sf, pid) for sf, pid in zip((ours, twin), products[UPSERT_SKU], strict=True))
    if mine is None or its is None or (mine.version, mine.title) != (its.version, its.title):
        found.append(
            f"{UPSERT_SKU}: (version, title) {mine and (mine.version, mine.title)} vs the twin's "
            f"{its and (its.version, its.title)}"
        )
    for sku in ORDER_SKUS:
        a, b = store.sku(ours, sku), store.sku(twin, sku)
        if a is None or b is None or (a.on_hand, a.reserved) != (b.on_hand, b.reserved):
            found.append(
                f"{sku}: (on hand, reserved) {a and (a.on_hand, a.reserved)} vs the twin's "
                f"{b and (b.on_hand, b.reserved)}"
            )
    return found


def _expect(status: int, wanted: int, path: str) -> None:
    if status != wanted:
        raise RuntimeError(f"a warm-path request to {path} got {status}, not {wanted}")
