"""Affiliate links over real HTTP against the local stack: 500 concurrent redirects of one link (some by
link-preview bots, some HEAD) are each counted once, as a click or a bot click, with one ``affiliate.click``
event per counted GET; an order with one of the click ids converts, with its revenue in the link's stats;
the redirect never goes anywhere but the link's destination; and a receiver verifying with the
``standardwebhooks`` library gets ``tryon.session.created``, ``affiliate.click`` and
``affiliate.conversion``.

Each test has an org of its own with a registered domain (``fashionos-admin add-domain``)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import E2E, DevStack, http
from tests.e2e.test_commerce import CONCURRENT_TIMEOUT, WORKERS, Partner, partner_of, suffix, wait_for
from tests.receiver import Receiver

pytestmark = E2E

LINKS = "/v1/affiliates/links"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
BOTS = (
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1",
    "Twitterbot/1.0",
)


@pytest.fixture
def affiliate(stack: DevStack) -> tuple[Partner, str]:
    partner = partner_of(stack)
    domain = f"shop-{suffix(8)}.example"
    stack.admin("add-domain", partner.org_id, domain)
    stack.admin("set-tryon", partner.org_id, "--type", "AR")
    return partner, domain


def redirect(
    stack: DevStack, session: requests.Session, method: str, path: str, agent: str
) -> requests.Response:
    return session.request(
        method,
        stack.url(path),
        headers={"User-Agent": agent},
        allow_redirects=False,
        timeout=CONCURRENT_TIMEOUT,
    )


def order_with_click(partner: Partner, click_id: str) -> dict[str, Any]:
    sf = partner.storefront()
    partner.ok(
        "POST",
        f"/v1/storefronts/{sf}/products",
        {
            "sku": "CLICKED",
            "title": "Clicked tee",
            "price": {"amount": 3100, "currency": "EUR"},
            "status": "active",
        },
        201,
    )
    partner.stock(sf, "CLICKED", on_hand=5)
    body = {"storefront_id": sf, "lines": [{"sku": "CLICKED", "quantity": 2}], "affiliate_click_id": click_id}
    order: dict[str, Any] = partner.ok("POST", "/v1/orders", body, 201)
    return order


def test_five_hundred_concurrent_redirects_are_each_counted_once(
    stack: DevStack, affiliate: tuple[Partner, str]
) -> None:
    partner, domain = affiliate
    destination = f"https://{domain}/products/tee?color=white"
    link = partner.ok(
        "POST", LINKS, {"destination_url": destination, "utm": {"source": "ig", "medium": "social"}}, 201
    )
    path = f"/r/{link['code']}"
    # when: 500 requests at once: 400 GETs from browsers, 50 from link-preview bots, 50 HEADs
    sends = (
        [("GET", BROWSER)] * 400
        + [("GET", BOTS[i % len(BOTS)]) for i in range(50)]
        + [("HEAD", BROWSER)] * 50
    )
    local = threading.local()
    sessions: list[requests.Session] = []
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            replies = list(pool.map(lambda r: redirect_of(stack, local, sessions, r, path), sends))
    finally:
        for session in sessions:
            session.close()
    # then: every one is redirected to the destination, with the UTM parameters and a click id of its own
    assert Counter(r.status_code for r in replies) == {302: 500}
    clicks = []
    for reply, (method, _) in zip(replies, sends, strict=True):
        location = urlsplit(reply.headers["Location"])
        assert (location.scheme, location.netloc, location.path) == ("https", domain, "/products/tee")
        query = parse_qs(location.query)
        assert (query["color"], query["utm_source"], query["utm_medium"]) == (["white"], ["ig"], ["social"])
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        if method == "GET":
            clicks.append(query["fos_click"][0])
    assert len(set(clicks)) == 450
    # and the link counted 400 clicks and 50 bot clicks (the HEADs: none), one event per counted GET
    stats = partner.ok("GET", f"{LINKS}/{link['id']}")["stats"]
    assert (stats["clicks"], stats["bot_clicks"]) == (400, 50)
    assert 1 <= stats["unique_clicks"] <= 400  # one address: unique per visitor and day
    events = partner.every("/v1/events?type=affiliate.click")
    assert sorted(e["data"]["id"] for e in events) == sorted(clicks)
    assert Counter(e["data"]["bot"] for e in events) == {False: 400, True: 50}
    # when: an order carries one of the click ids
    order = order_with_click(partner, clicks[0])
    # then: the link shows the conversion and its revenue
    listed = [entry for entry in partner.every(LINKS) if entry["id"] == link["id"]]
    assert listed[0]["stats"]["conversions"] == 1
    assert listed[0]["stats"]["revenue"] == [order["total"]]
    assert listed[0]["stats"]["conversion_rate"] == round(1 / 400, 4)


def redirect_of(
    stack: DevStack,
    local: threading.local,
    sessions: list[requests.Session],
    request: tuple[str, str],
    path: str,
) -> requests.Response:
    """One redirect request on the calling thread's keep-alive session."""
    if not hasattr(local, "session"):
        local.session = http()
        sessions.append(local.session)
    method, agent = request
    return redirect(stack, local.session, method, path, agent)


def test_the_redirect_goes_to_the_links_destination_only(
    stack: DevStack, affiliate: tuple[Partner, str]
) -> None:
    partner, domain = affiliate
    for destination in (
        "https://evil.example/",
        "//evil.example",
        f"https://{domain}@evil.example/",
        f"https://{domain}\\@evil.example/",
        "https:/\\evil.example",
        f"https://{domain}%2F@evil.example/",
        f"http://{domain}/",
        "javascript:alert(1)",
    ):
        reply = partner.call("POST", LINKS, {"destination_url": destination})
        assert reply.status in (400, 422), destination
    link = partner.ok("POST", LINKS, {"destination_url": f"https://{domain}/"}, 201)
    with http() as session:
        for query in (
            "?url=https://evil.example",
            "?next=//evil.example",
            "?destination_url=https://evil.example",
        ):
            reply = redirect(stack, session, "GET", f"/r/{link['code']}{query}", BROWSER)
            assert reply.status_code == 302
            assert urlsplit(reply.headers["Location"]).netloc == domain
        unknown = redirect(stack, session, "GET", "/r/ZZZZZZZZZZ", BROWSER)
        assert unknown.status_code == 404
        assert "Location" not in unknown.headers
        partner.ok("PATCH", f"{LINKS}/{link['id']}", {"status": "disabled"})
        disabled = redirect(stack, session, "GET", f"/r/{link['code']}", BROWSER)
        assert disabled.status_code == 404
        assert "Location" not in disabled.headers


def test_a_receiver_gets_the_try_on_click_and_conversion_events_signed(
    stack: DevStack, affiliate: tuple[Partner, str]
) -> None:
    partner, domain = affiliate
    types = ["tryon.session.created", "affiliate.click", "affiliate.conversion"]
    with Receiver() as receiver:
        webhook = partner.ok("POST", "/v1/webhooks", {"url": receiver.url, "events": types}, 201)
        receiver.secret = webhook["secret"]
        sf = partner.storefront()
        product = partner.ok(
            "POST",
            f"/v1/storefronts/{sf}/products",
            {
                "sku": "TRY",
                "title": "Try me",
                "price": {"amount": 5000, "currency": "EUR"},
                "status": "active",
            },
            201,
        )
        session = partner.ok("POST", "/v1/tryon/sessions", {"product_id": product["id"], "type": "AR"}, 201)
        link = partner.ok(
            "POST", LINKS, {"destination_url": f"https://{domain}/try", "product_id": product["id"]}, 201
        )
        with http() as client:
            location = redirect(stack, client, "GET", f"/r/{link['code']}", BROWSER).headers["Location"]
        click_id = parse_qs(urlsplit(location).query)["fos_click"][0]
        conversion = partner.ok(
            "POST",
            "/v1/affiliates/conversions",
            {"click_id": click_id, "order_id": "ext-1001", "amount": {"amount": 5000, "currency": "EUR"}},
            201,
        )
        wait_for(lambda: len(receiver.received) >= 3, lambda: [r.event["type"] for r in receiver.received])
    received = {r.event["type"]: r for r in receiver.received}
    assert set(received) == set(types)
    for delivery in received.values():
        assert delivery.verified
        Webhook(webhook["secret"]).verify(delivery.body, delivery.headers)
    assert received["tryon.session.created"].event["data"]["id"] == session["id"]
    assert received["affiliate.click"].event["data"]["id"] == click_id
    assert received["affiliate.conversion"].event["data"] == conversion
