"""The commerce routes over real HTTP against the local stack, many clients at once: concurrent orders never
oversell and every sale has its event, concurrent upserts of one sku create one listing, a subscribed
receiver gets each commerce event signed (verified with the ``standardwebhooks`` library), and concurrent
retries of an order with one Idempotency-Key reserve once.

Each test has an org of its own, made as an operator would (``fashionos-admin``), with an OAuth client on
the ``burst-5k`` tier: the demo sandbox key is on the default tier (100 requests a minute), which a test of
200 orders would exceed, and an org of its own keeps a test's events and deliveries apart from any other's.
Each storefront has a random handle, so nothing depends on another test or on the demo data.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from fashionos.identity.partner_models import KNOWN_SCOPES
from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, http
from tests.helpers import Reply, problem
from tests.receiver import Receiver

pytestmark = E2E

WORKERS = 48
CONCURRENT_TIMEOUT = 120  # one request, while the others queue in front of moto
WAIT_SECONDS = 30  # deliveries: the pollers idle up to a second, a first attempt goes at once
ORDERS = "/v1/orders"
STOREFRONTS = "/v1/storefronts"
COMMERCE_EVENTS = ["product.updated", "order.created", "order.fulfilled", "order.cancelled"]

# A request for ``Partner.many``: method, path, JSON body (None: no body), extra headers.
Request = tuple[str, str, Any, dict[str, str]]


def contended(reply: Reply) -> bool:
    return bool(problem(reply, reply.status).get("code") == "contended")


def suffix(length: int) -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(length))


@dataclass
class Partner:
    """An org of its own on the local stack, calling the Partner API with its OAuth client's bearer token."""

    stack: DevStack
    org_id: str
    token: str

    def _send(self, session: requests.Session, request: Request, timeout: float) -> Reply:
        method, path, body, headers = request
        reply = session.request(
            method,
            self.stack.url(path),
            json=body,
            headers={"Authorization": f"Bearer {self.token}", **headers},
            timeout=timeout,
        )
        return Reply(reply.status_code, dict(reply.headers), reply.text)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        with http() as session:
            return self._send(session, (method, path, body, headers or {}), REQUEST_TIMEOUT)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        reply = self.call(method, path, body)
        assert reply.status == status, f"{method} {path}: {reply.status} {reply.text}"
        assert reply.header("Content-Type") == "application/json"
        return reply.json

    def many(self, batch: Sequence[Request]) -> list[Reply]:
        """Send ``batch`` (in its order) from ``WORKERS`` threads, one keep-alive session each."""
        local = threading.local()
        sessions: list[requests.Session] = []

        def send(request: Request) -> Reply:
            if not hasattr(local, "session"):
                local.session = http()
                sessions.append(local.session)
            return self._send(local.session, request, CONCURRENT_TIMEOUT)

        try:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                return list(pool.map(send, batch))
        finally:
            for session in sessions:
                session.close()

    def many_retried(self, batch: Sequence[Request], rounds: int = 3) -> list[Reply]:
        """``many``, then each request answered 409 ``contended`` sent again (the same Idempotency-Key) after
        its ``Retry-After``, as a partner's client retries, up to ``rounds`` more times."""
        replies = self.many(batch)
        for _ in range(rounds):
            again = [i for i, reply in enumerate(replies) if reply.status == 409 and contended(reply)]
            if not again:
                break
            time.sleep(max(int(replies[i].header("Retry-After")) for i in again))
            for i, reply in zip(again, self.many([batch[i] for i in again]), strict=True):
                replies[i] = reply
        return replies

    def every(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list route, page after page (``limit=100``, ``cursor``)."""
        found: list[dict[str, Any]] = []
        separator = "&" if "?" in path else "?"
        cursor: str | None = None
        while True:
            page = self.ok("GET", f"{path}{separator}limit=100" + (f"&cursor={cursor}" if cursor else ""))
            found += page["data"]
            if not page["has_more"]:
                return found
            cursor = page["next_cursor"]
            assert cursor, page

    # --- commerce ---------------------------------------------------------------------------------

    def storefront(self) -> str:
        body = {"handle": f"@e2e{suffix(12)}", "name": "E2E shop", "currency": "EUR", "visibility": "public"}
        created: dict[str, Any] = self.ok("POST", STOREFRONTS, body, status=201)
        return str(created["id"])

    def upsert(self, sf: str, sku: str, status: int = 201) -> dict[str, Any]:
        product: dict[str, Any] = self.ok("POST", f"{STOREFRONTS}/{sf}/products", listing(sku), status)
        return product

    def stock(self, sf: str, sku: str, on_hand: int | None = None) -> dict[str, int]:
        """Set ``on_hand`` (if given); then the sku's stock as GET /v1/inventory shows it."""
        if on_hand is not None:
            self.ok("PUT", f"/v1/inventory/{sf}/{sku}", {"on_hand": on_hand})
        (item,) = self.ok("GET", f"/v1/inventory?storefrontId={sf}&sku={sku}")["data"]
        return {k: item[k] for k in ("on_hand", "reserved", "available")}

    def events(self, type_: str, sf: str) -> list[dict[str, Any]]:
        """The org's events of ``type_`` about objects of the storefront ``sf``."""
        return [e for e in self.every(f"/v1/events?type={type_}") if e["data"]["storefront_id"] == sf]


def listing(sku: str) -> dict[str, Any]:
    return {
        "sku": sku,
        "title": f"Tee {sku}",
        "price": {"amount": 2500, "currency": "EUR"},
        "status": "active",
    }


def order_body(sf: str, sku: str, quantity: int) -> dict[str, Any]:
    return {"storefront_id": sf, "lines": [{"sku": sku, "quantity": quantity}]}


def wait_for(condition: Callable[[], bool], state: Callable[[], Any]) -> None:
    """Poll ``condition`` for up to ``WAIT_SECONDS``; on timeout, fail showing ``state()``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {WAIT_SECONDS} s; state: {state()}"
        time.sleep(0.1)


@pytest.fixture
def partner(stack: DevStack) -> Partner:
    return partner_of(stack)


def partner_of(stack: DevStack, *create_org: str) -> Partner:
    """A new org (``create-org`` with these options too) and its client with every scope, burst-5k."""
    org = stack.admin("create-org", "--handle", f"@e2e_{suffix(12)}", "--twin-active", *create_org)
    scopes = [arg for scope in sorted(KNOWN_SCOPES) for arg in ("--scope", scope)]
    client = stack.admin("create-client", org["org_id"], *scopes, "--rate-tier", "burst-5k")
    with http() as session:
        reply = session.post(
            stack.url("/oauth/token"),
            auth=(client["client_id"], client["client_secret"]),
            data={"grant_type": "client_credentials"},
            timeout=REQUEST_TIMEOUT,
        )
    assert reply.status_code == 200, reply.text
    return Partner(stack, org["org_id"], reply.json()["access_token"])


def test_two_hundred_concurrent_orders_for_fifty_units_sell_exactly_fifty(partner: Partner) -> None:
    # given: a sku with 50 on hand
    sf = partner.storefront()
    partner.upsert(sf, "TEE")
    assert partner.stock(sf, "TEE", on_hand=50) == {"on_hand": 50, "reserved": 0, "available": 50}
    # when: 200 orders of one unit arrive at once
    replies = partner.many([("POST", ORDERS, order_body(sf, "TEE", 1), {})] * 200)
    # then: exactly 50 are created, and the other 150 are told the stock is short
    statuses = Counter(reply.status for reply in replies)
    assert statuses == {201: 50, 409: 150}, (dict(statuses), {r.status: r.text for r in replies})
    created = [reply.json for reply in replies if reply.status == 201]
    for reply in replies:
        if reply.status == 409:
            body = problem(reply, 409)
            assert body["code"] == "insufficient_stock", body
            assert "TEE" in body["detail"]
    ids = [order["id"] for order in created]
    assert len(set(ids)) == 50
    assert all(order["status"] == "created" and order["storefront_id"] == sf for order in created)
    assert all(order["total"] == {"amount": 2500, "currency": "EUR"} for order in created)
    assert partner.stock(sf, "TEE") == {"on_hand": 50, "reserved": 50, "available": 0}
    listed = partner.every(f"{ORDERS}?storefrontId={sf}")
    assert sorted(order["id"] for order in listed) == sorted(ids)
    # and each created order, and only those, has its order.created event, the first about it
    placed = partner.events("order.created", sf)
    assert sorted(event["data"]["id"] for event in placed) == sorted(ids)
    assert {event["sequence"] for event in placed} == {1}

    # when: 10 of them are fulfilled and 10 others cancelled, all at once
    fulfil, cancel = ids[:10], ids[10:20]
    finished = partner.many(
        [("POST", f"{ORDERS}/{i}/fulfill", None, {}) for i in fulfil]
        + [("POST", f"{ORDERS}/{i}/cancel", None, {}) for i in cancel]
    )
    # then: the fulfilled stock left, the cancelled stock is available again
    assert [reply.status for reply in finished] == [200] * 20, [(r.status, r.text) for r in finished]
    assert [reply.json["status"] for reply in finished] == ["fulfilled"] * 10 + ["cancelled"] * 10
    assert [reply.json["id"] for reply in finished] == fulfil + cancel
    assert partner.stock(sf, "TEE") == {"on_hand": 40, "reserved": 30, "available": 10}
    # and each has its event, the second about its order
    for type_, orders in (("order.fulfilled", fulfil), ("order.cancelled", cancel)):
        events = partner.events(type_, sf)
        assert sorted(event["data"]["id"] for event in events) == sorted(orders), type_
        assert {event["sequence"] for event in events} == {2}, type_
        assert {event["data"]["status"] for event in events} == {type_.removeprefix("order.")}
    assert len(partner.events("order.created", sf)) == 50


def test_concurrent_upserts_of_each_sku_create_one_listing(partner: Partner) -> None:
    # given: a storefront, and 50 skus
    sf = partner.storefront()
    skus = [f"SKU-{i:02d}" for i in range(50)]
    # when: each sku's listing is sent twice, the two side by side, all 100 at once
    path = f"{STOREFRONTS}/{sf}/products"
    replies = partner.many([("POST", path, listing(sku), {}) for sku in skus for _ in range(2)])
    # then: each sku is created once (201), and its other upsert changed nothing (200, the same listing)
    assert {reply.status for reply in replies} <= {200, 201}, [(r.status, r.text) for r in replies]
    by_sku: dict[str, list[Reply]] = {}
    for sku, reply in zip([sku for sku in skus for _ in range(2)], replies, strict=True):
        by_sku.setdefault(sku, []).append(reply)
    products: dict[str, dict[str, Any]] = {}
    for sku, pair in by_sku.items():
        assert sorted(reply.status for reply in pair) == [200, 201], (sku, [r.text for r in pair])
        first, second = (reply.json for reply in pair)
        assert first == second, sku
        assert (first["sku"], first["version"], first["storefront_id"]) == (sku, 1, sf)
        products[first["id"]] = first
    assert len(products) == 50
    # and the storefront counts 50 listings, which its product list shows
    assert partner.ok("GET", f"{STOREFRONTS}/{sf}")["products_count"] == 50
    assert sorted(p["sku"] for p in partner.every(f"{STOREFRONTS}/{sf}/products")) == skus
    # and there is one product.updated per listing, carrying the listing as created
    events = partner.events("product.updated", sf)
    assert sorted(event["data"]["id"] for event in events) == sorted(products)
    assert all(event["data"] == products[event["data"]["id"]] for event in events)
    assert {event["sequence"] for event in events} == {1}


def test_a_subscribed_receiver_gets_each_commerce_event_signed(partner: Partner) -> None:
    with Receiver() as receiver:
        # given: a receiver subscribed to the commerce events
        webhook = partner.ok("POST", "/v1/webhooks", {"url": receiver.url, "events": COMMERCE_EVENTS}, 201)
        receiver.secret = webhook["secret"]
        sf = partner.storefront()
        # when: a listing is created, an order placed and fulfilled, another placed and cancelled
        product = partner.upsert(sf, "TEE")
        partner.stock(sf, "TEE", on_hand=5)
        first = partner.ok("POST", ORDERS, order_body(sf, "TEE", 2), 201)
        fulfilled = partner.ok("POST", f"{ORDERS}/{first['id']}/fulfill")
        second = partner.ok("POST", ORDERS, order_body(sf, "TEE", 1), 201)
        cancelled = partner.ok("POST", f"{ORDERS}/{second['id']}/cancel")
        wait_for(
            lambda: len({r.webhook_id for r in receiver.received}) >= 5,
            lambda: {
                "received": [
                    (r.webhook_id, r.event["type"], r.event["data"]["id"]) for r in receiver.received
                ],
                "events": [(e["id"], e["type"], e["data"]["id"]) for e in partner.every("/v1/events")],
            },
        )
    # then: one delivery per event, each accepted by the standardwebhooks library with the secret
    received = receiver.received
    assert all(r.verified and r.status == 200 for r in received)
    for delivery in received:
        Webhook(webhook["secret"]).verify(delivery.body, delivery.headers)
    assert len({r.webhook_id for r in received}) == len(received) == 5
    # and each carries its object as the API answered it, with the object's own sequence
    got = {(r.event["type"], r.event["data"]["id"]): r.event for r in received}
    expected = {
        ("product.updated", product["id"]): (1, product),
        ("order.created", first["id"]): (1, first),
        ("order.fulfilled", first["id"]): (2, fulfilled),
        ("order.created", second["id"]): (1, second),
        ("order.cancelled", second["id"]): (2, cancelled),
    }
    assert set(got) == set(expected)
    for key, (sequence, data) in expected.items():
        assert (got[key]["sequence"], got[key]["data"]) == (sequence, data), key
    # and each delivery is the event that GET /v1/events/{id} shows, under its webhook-id
    for delivery in received:
        shown = partner.ok("GET", f"/v1/events/{delivery.webhook_id}")
        assert {k: v for k, v in shown.items() if k != "delivery"} == delivery.event


def test_concurrent_retries_of_an_order_with_one_idempotency_key_create_one(partner: Partner) -> None:
    # given: a sku with 10 on hand, and a client that retries one order 5 times at once with one key
    sf = partner.storefront()
    partner.upsert(sf, "TEE")
    partner.stock(sf, "TEE", on_hand=10)
    headers = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    request: Request = ("POST", ORDERS, order_body(sf, "TEE", 3), headers)
    # when
    replies = partner.many([request] * 5)
    # then: one created the order; each other retry replays its answer or is told it is in progress
    answered = [reply for reply in replies if reply.status == 201]
    in_progress = [reply for reply in replies if reply.status == 409]
    assert len(answered) + len(in_progress) == 5, [(r.status, r.text) for r in replies]
    assert [reply.header("Idempotent-Replayed") for reply in answered].count(None) == 1
    assert all(reply.header("Idempotent-Replayed") in (None, "true") for reply in answered)
    assert all(reply.json == answered[0].json for reply in answered)
    for reply in in_progress:
        assert problem(reply, 409)["code"] == "idempotency_in_progress", reply.text
    order = answered[0].json
    # and there is one order, its stock reserved once, and one order.created
    assert [o["id"] for o in partner.every(f"{ORDERS}?storefrontId={sf}")] == [order["id"]]
    assert partner.stock(sf, "TEE") == {"on_hand": 10, "reserved": 3, "available": 7}
    assert [event["data"]["id"] for event in partner.events("order.created", sf)] == [order["id"]]
    # and a retry after all that replays the first answer
    late = partner.call(*request)
    assert (late.status, late.header("Idempotent-Replayed"), late.json) == (201, "true", order)
