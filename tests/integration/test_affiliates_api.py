"""The Partner API's affiliate routes and the public redirect over HTTP, in-process on moto through the dev
gateway (sandbox stage, the demo org's sandbox key, which holds every scope): destination domains, links
and their stats, the redirect (open-redirect attempts, bots, HEAD, dead codes, the per-IP limit, what is
kept of the client's address), clicks' events, conversions and orders that convert."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fashionos.identity.partner_models import KNOWN_SCOPES
from tests.helpers import Reply, problem
from tests.integration.conftest import ISSUER, InProcessApi
from tests.integration.partner_calls import call, ok

DOMAINS = "/v1/affiliates/domains"
LINKS = "/v1/affiliates/links"
CONVERSIONS = "/v1/affiliates/conversions"
LINK_ID = re.compile(r"lnk_[0-9A-HJKMNP-TV-Z]{26}")
CLICK_ID = re.compile(r"clk_[0-9A-HJKMNP-TV-Z]{26}")
CONVERSION_ID = re.compile(r"cnv_[0-9A-HJKMNP-TV-Z]{26}")
CODE = re.compile(r"[A-Za-z0-9]{10}")
UNKNOWN_LINK = "lnk_01JZZZZZZZZZZZZZZZZZZZZZZZ"
UNKNOWN_CLICK = "clk_01JZZZZZZZZZZZZZZZZZZZZZZZ"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
SHOPPER_IP = "198.51.100.23"
ZERO_STATS = {
    "clicks": 0,
    "unique_clicks": 0,
    "bot_clicks": 0,
    "conversions": 0,
    "revenue": [],
    "conversion_rate": 0,
}


def follow(
    stack: InProcessApi,
    code: str,
    *,
    method: str = "GET",
    user_agent: str = BROWSER,
    ip: str = SHOPPER_IP,
    query: str = "",
) -> Reply:
    """A shopper's browser following the short link (no credentials)."""
    headers = {"User-Agent": user_agent, "Accept": "text/html"}
    return stack.call(f"/r/{code}{query}", method=method, headers=headers, source_ip=ip)


def click_id(reply: Reply) -> str:
    assert reply.status == 302, reply.text
    (found,) = re.findall(r"[?&]fos_click=([^&#]+)", reply.header("Location") or "")
    assert CLICK_ID.fullmatch(found)
    return str(found)


def register(stack: InProcessApi, domain: str = "shop.example", *, key: str | None = None) -> None:
    assert call(stack, "POST", DOMAINS, {"domain": domain}, key=key).status in (200, 201)


def create_link(stack: InProcessApi, status: int = 201, *, key: str | None = None, **fields: Any) -> Any:
    body = {"destination_url": "https://shop.example/p/tee", **fields}
    return ok(call(stack, "POST", LINKS, body, key=key), status)


def get_link(stack: InProcessApi, link_id: str, query: str = "") -> Any:
    return ok(call(stack, "GET", f"{LINKS}/{link_id}{query}"))


def events(stack: InProcessApi, type_: str) -> list[dict[str, Any]]:
    page = ok(call(stack, "GET", f"/v1/events?type={type_}&limit=100"))
    return page["data"]  # type: ignore[no-any-return]


def table_items(stack: InProcessApi, resource: str) -> list[dict[str, Any]]:
    dynamodb = stack.session.client("dynamodb")
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=stack.local.physical[resource]):
        items += page["Items"]
    return items


def affiliate_items(stack: InProcessApi, *prefixes: str) -> list[dict[str, Any]]:
    """The affiliate table's items whose pk starts with one of ``prefixes`` (all but rate windows)."""
    return [
        item
        for item in table_items(stack, "AffiliateTable")
        if not item["pk"]["S"].startswith("RATE#") and item["pk"]["S"].startswith(prefixes or ("",))
    ]


@pytest.fixture
def link(stack: InProcessApi) -> Any:
    """A link of the demo org to https://shop.example/p/tee?color=red#reviews, with UTM parameters."""
    register(stack)
    return create_link(
        stack,
        destination_url="https://shop.example/p/tee?color=red#reviews",
        campaign="spring",
        utm={"source": "instagram", "medium": "social", "campaign": "spring sale"},
    )


@pytest.fixture
def clock(stack: InProcessApi, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The affiliate services' clock, fixed (10 s into a rate window); tests move it by setting ``[0]``."""
    from fashionos.affiliates.container import click_service, conversion_service, link_service

    now = [float(int(time.time() // 60) * 60 + 10)]
    for service in (click_service(), conversion_service(), link_service()):
        monkeypatch.setattr(service, "_clock", lambda: now[0])
    return now


# --- domains -------------------------------------------------------------------------------------


def test_a_domain_is_registered_once_lower_cased_and_listed(stack: InProcessApi) -> None:
    first = ok(call(stack, "POST", DOMAINS, {"domain": "Shop.Example"}), 201)
    assert set(first) == {"domain", "created_at"}
    assert first["domain"] == "shop.example"
    assert ok(call(stack, "POST", DOMAINS, {"domain": "shop.example"}), 200) == first
    ok(call(stack, "POST", DOMAINS, {"domain": "brand.example"}), 201)
    listed = ok(call(stack, "GET", DOMAINS))["data"]
    assert [d["domain"] for d in listed] == [
        "brand.example",
        "shop.example",
        "yourbrand.example",
    ]  # the demo's


@pytest.mark.parametrize(
    "domain",
    [
        "localhost",
        "shop",
        "192.0.2.1",
        "https://shop.example",
        "shop.example/path",
        "shop_example.com",
        "-shop.example",
        "shop-.example",
        "shop..example",
        "sh op.example",
        "shop.example:443",
        "shop.example.",
        "*.shop.example",
        "user@shop.example",
        "shop.ex%61mple",
        "shöp.example",
        "a" * 64 + ".example",
        ("a" * 62 + ".") * 4 + "example",
        "",
    ],
)
def test_a_bad_domain_is_a_400_naming_it_and_registers_nothing(stack: InProcessApi, domain: str) -> None:
    before = ok(call(stack, "GET", DOMAINS))["data"]
    assert "domain" in problem(call(stack, "POST", DOMAINS, {"domain": domain}), 400)["detail"]
    assert ok(call(stack, "GET", DOMAINS))["data"] == before


# --- links ---------------------------------------------------------------------------------------


def test_a_new_link_has_its_fields_a_short_url_and_no_stats(stack: InProcessApi) -> None:
    register(stack)
    reply = call(
        stack,
        "POST",
        LINKS,
        {
            "destination_url": "https://shop.example/p/tee",
            "campaign": "spring",
            "utm": {"source": "instagram", "medium": "social"},
            "attribution_window_days": 7,
            "expires_at": "2099-01-31T12:00:00+01:00",
        },
    )
    body = ok(reply, 201)
    assert reply.header("ETag") == '"1"'
    assert LINK_ID.fullmatch(body["id"])
    assert CODE.fullmatch(body["code"])
    assert body == {
        "id": body["id"],
        "code": body["code"],
        "short_url": f"{ISSUER}/r/{body['code']}",
        "destination_url": "https://shop.example/p/tee",
        "product_id": None,
        "campaign": "spring",
        "utm": {"source": "instagram", "medium": "social", "campaign": None},
        "attribution_window_days": 7,
        "expires_at": "2099-01-31T11:00:00Z",
        "status": "active",
        "version": 1,
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "stats": ZERO_STATS,
    }
    assert get_link(stack, body["id"]) == body
    assert ok(call(stack, "GET", LINKS))["data"] == [body]
    defaults = create_link(stack)
    assert (defaults["attribution_window_days"], defaults["expires_at"]) == (30, None)
    assert defaults["code"] != body["code"]


def test_a_retried_link_creation_with_its_idempotency_key_makes_one_link(stack: InProcessApi) -> None:
    register(stack)
    body = {"destination_url": "https://shop.example/p/tee", "campaign": "retried"}
    first = call(stack, "POST", LINKS, body, Idempotency_Key="link-42")
    again = call(stack, "POST", LINKS, body, Idempotency_Key="link-42")
    assert (first.status, again.status, again.json, again.header("Idempotent-Replayed")) == (
        201,
        201,
        first.json,
        "true",
    )
    assert [link["id"] for link in ok(call(stack, "GET", LINKS))["data"]] == [first.json["id"]]
    other = {**body, "campaign": "other"}
    assert problem(call(stack, "POST", LINKS, other, Idempotency_Key="link-42"), 422)["code"] == (
        "idempotency_key_reused"
    )


@pytest.mark.parametrize(
    ("destination", "status"),
    [
        ("https://evil.example/", 422),
        ("https://evil.example/?next=https://shop.example/", 422),
        ("https://shop.example.evil.example/", 422),
        ("https://evilshop.example/", 422),
        ("https://xn--shp-sna.example/", 422),  # a look-alike of shop.example
        ("https://192.0.2.1/", 422),
        ("https://shop.example./", 422),
        ("//evil.example", 400),
        ("//shop.example/p", 400),
        ("/p/tee", 400),
        ("http://shop.example/", 400),
        ("javascript:alert(document.domain)//https://shop.example/", 400),
        ("https://evil.example@shop.example/", 400),
        ("https://shop.example@evil.example/", 400),
        ("https://shop.example:pass@evil.example/", 400),
        ("https:\\\\evil.example", 400),
        ("https://shop.example\\@evil.example/", 400),
        ("https://shop.example\\evil.example/", 400),
        ("https://shop.example/\\\\evil.example", 400),
        ("https://evil.example%2Fshop.example/", 400),
        ("https://shop.example%2F@evil.example/", 400),
        ("https://shop.example%40evil.example/", 400),
        ("https://%73hop.example/", 400),
        ("https://shop.example:8443/", 400),
        ("https://shop.example/ evil", 400),
        ("https://shop.example/\nLocation: https://evil.example", 400),
        ("https://shop.example/\u202eelpmaxe.live", 400),
        ("https://shop.example/" + "a" * 2048, 400),
        ("https://shop.example/?fos_click=clk_forged", 422),
        ("https://shop.example/?a=1&fos%5Fclick=clk_forged", 422),
    ],
)
def test_a_destination_off_the_orgs_domains_is_refused_and_nothing_is_written(
    stack: InProcessApi, destination: str, status: int
) -> None:
    register(stack)
    refused = problem(call(stack, "POST", LINKS, {"destination_url": destination}), status)
    assert "destination_url" in refused["detail"]
    if status == 422:
        assert refused["code"] in ("destination_not_allowed", "reserved_query_parameter")
    assert affiliate_items(stack) == []


def test_another_orgs_domain_is_not_the_callers(stack: InProcessApi, other_key: str) -> None:
    register(stack, "other.example", key=other_key)
    refused = problem(call(stack, "POST", LINKS, {"destination_url": "https://other.example/"}), 422)
    assert refused["code"] == "destination_not_allowed"


@pytest.mark.parametrize(
    "destination",
    [
        "https://www.shop.example/p",
        "https://shop.example:443/p",
        "https://SHOP.example/p",
        "https://shop.example",
    ],
)
def test_a_destination_on_a_domain_or_its_subdomains_is_taken(stack: InProcessApi, destination: str) -> None:
    register(stack)
    assert create_link(stack, destination_url=destination)["destination_url"] == destination


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"utm": {"source": "x"}, "destination_url": "https://shop.example/?utm_source=y"}, "utm", 422),
        ({"utm": {"term": "x"}}, "term", 400),
        ({"utm": {"source": ""}}, "source", 400),
        ({"attribution_window_days": 0}, "attribution_window_days", 400),
        ({"attribution_window_days": 91}, "attribution_window_days", 400),
        ({"attribution_window_days": 1.5}, "attribution_window_days", 400),
        ({"attribution_window_days": "30"}, "attribution_window_days", 400),
        ({"expires_at": "2099-01-31"}, "expires_at", 400),
        ({"expires_at": "2099-01-31T12:00:00"}, "expires_at", 400),
        ({"expires_at": "2001-01-31T12:00:00Z"}, "expires_at", 422),
        ({"product_id": "prd_1"}, "product_id", 400),
        ({"campaign": ""}, "campaign", 400),
        ({"campaign": "x" * 101}, "campaign", 400),
        ({"destination_url": None}, "destination_url", 400),
        ({"code": "mycode"}, "code", 400),
    ],
)
def test_every_bad_field_is_refused_naming_it_and_nothing_is_written(
    stack: InProcessApi, body: dict[str, Any], field: str, status: int
) -> None:
    register(stack)
    sent = {"destination_url": "https://shop.example/p", **body}
    assert field in problem(call(stack, "POST", LINKS, sent), status)["detail"]
    assert affiliate_items(stack) == []


def test_a_links_product_is_one_of_the_orgs_listings(stack: InProcessApi, other_key: str) -> None:
    register(stack)
    mine = shop(stack)["product_id"]
    theirs = shop(stack, handle="@theirs", key=other_key)["product_id"]
    made = create_link(stack, product_id=mine)
    assert made["product_id"] == mine
    click_id(follow(stack, made["code"]))
    (event,) = events(stack, "affiliate.click")
    assert event["data"]["product_id"] == mine
    assert problem(
        call(stack, "POST", LINKS, {"destination_url": "https://shop.example/", "product_id": theirs}), 404
    )
    assert len(affiliate_items(stack, "ORG#")) == 1


def test_patch_disables_renames_and_reexpires_only_what_it_sends(stack: InProcessApi, link: Any) -> None:
    path = f"{LINKS}/{link['id']}"
    disabled = ok(call(stack, "PATCH", path, {"status": "disabled"}))
    assert (disabled["status"], disabled["version"], disabled["campaign"]) == ("disabled", 2, "spring")
    assert follow(stack, link["code"]).status == 404
    renamed = call(
        stack, "PATCH", path, {"status": "active", "campaign": None, "expires_at": "2099-01-01T00:00:00Z"}
    )
    assert renamed.header("ETag") == '"3"'
    assert {k: renamed.json[k] for k in ("status", "campaign", "expires_at", "destination_url")} == {
        "status": "active",
        "campaign": None,
        "expires_at": "2099-01-01T00:00:00Z",
        "destination_url": link["destination_url"],
    }
    assert follow(stack, link["code"]).status == 302
    unchanged = ok(call(stack, "PATCH", path, {}))
    assert unchanged["version"] == 3
    assert ok(call(stack, "PATCH", path, {"expires_at": None}))["expires_at"] is None


def test_if_match_refuses_a_stale_patch_with_412(stack: InProcessApi, link: Any) -> None:
    path = f"{LINKS}/{link['id']}"
    ok(call(stack, "PATCH", path, {"campaign": "summer"}, If_Match='"1"'))
    assert problem(call(stack, "PATCH", path, {"status": "disabled"}, If_Match='"1"'), 412)["code"] == (
        "version_mismatch"
    )
    assert get_link(stack, link["id"])["status"] == "active"


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"status": None}, "status", 400),
        ({"status": "paused"}, "status", 400),
        ({"destination_url": "https://shop.example/other"}, "destination_url", 400),
        ({"attribution_window_days": 10}, "attribution_window_days", 400),
        ({"expires_at": "tomorrow"}, "expires_at", 400),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at", 422),
    ],
)
def test_a_bad_patch_is_refused_naming_its_field_and_changes_nothing(
    stack: InProcessApi, link: Any, body: dict[str, Any], field: str, status: int
) -> None:
    assert field in problem(call(stack, "PATCH", f"{LINKS}/{link['id']}", body), status)["detail"]
    assert get_link(stack, link["id"]) == link


# --- the redirect --------------------------------------------------------------------------------


def test_the_redirect_adds_utm_and_a_click_id_and_keeps_the_destinations_query_and_fragment(
    stack: InProcessApi, link: Any
) -> None:
    reply = follow(stack, link["code"])
    assert reply.status == 302
    clicked = click_id(reply)
    assert reply.header("Location") == (
        "https://shop.example/p/tee?color=red&utm_source=instagram&utm_medium=social"
        f"&utm_campaign=spring%20sale&fos_click={clicked}#reviews"
    )
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert reply.header("X-Request-Id")
    assert reply.text == ""


@pytest.mark.parametrize(
    "query",
    [
        "?url=https://evil.example/",
        "?next=//evil.example&redirect_uri=https%3A%2F%2Fevil.example",
        "?fos_click=clk_01JZZZZZZZZZZZZZZZZZZZZZZZ&utm_source=evil",
        "?destination_url=https://evil.example/",
        "/../../evil.example",
    ],
)
def test_the_short_links_own_query_never_reaches_the_location(
    stack: InProcessApi, link: Any, query: str
) -> None:
    reply = follow(stack, link["code"], query=query)
    if reply.status == 302:
        location = reply.header("Location") or ""
        assert location.startswith("https://shop.example/p/tee?color=red&utm_source=instagram&")
        assert "evil" not in location
        assert location.count("fos_click=") == 1
        assert UNKNOWN_CLICK not in location
    else:  # a path no route has
        assert reply.status == 404
        assert reply.header("Location") is None


def test_head_redirects_without_counting_or_a_click_id(stack: InProcessApi, link: Any) -> None:
    reply = follow(stack, link["code"], method="HEAD")
    assert reply.status == 302
    assert reply.header("Location") == (
        "https://shop.example/p/tee?color=red&utm_source=instagram&utm_medium=social"
        "&utm_campaign=spring%20sale#reviews"
    )
    assert reply.header("Cache-Control") == "no-store"
    assert get_link(stack, link["id"])["stats"] == ZERO_STATS
    assert events(stack, "affiliate.click") == []
    assert affiliate_items(stack, "CLICK#") == []


def test_other_methods_are_405_with_allow(stack: InProcessApi, link: Any) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        reply = follow(stack, link["code"], method=method)
        assert problem(reply, 405)
        assert reply.header("Allow") == "GET, HEAD"
    assert get_link(stack, link["id"])["stats"] == ZERO_STATS


@pytest.mark.parametrize(
    "user_agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "WhatsApp/2.23.20.0 A",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ],
)
def test_a_preview_bot_is_redirected_but_counted_as_a_bot_click(
    stack: InProcessApi, link: Any, user_agent: str
) -> None:
    clicked = click_id(follow(stack, link["code"], user_agent=user_agent))
    stats = get_link(stack, link["id"])["stats"]
    assert (stats["clicks"], stats["unique_clicks"], stats["bot_clicks"]) == (0, 0, 1)
    (event,) = events(stack, "affiliate.click")
    assert (event["data"]["id"], event["data"]["bot"], event["data"]["unique"]) == (clicked, True, False)


@pytest.mark.parametrize("user_agent", ["curl/8.5.0", "python-httpx/0.27.0", "", BROWSER])
def test_people_and_plain_http_clients_are_clicks(stack: InProcessApi, link: Any, user_agent: str) -> None:
    click_id(follow(stack, link["code"], user_agent=user_agent))
    stats = get_link(stack, link["id"])["stats"]
    assert (stats["clicks"], stats["bot_clicks"]) == (1, 0)


def test_a_click_emits_affiliate_click_with_the_click_as_its_object(stack: InProcessApi, link: Any) -> None:
    clicked = click_id(follow(stack, link["code"]))
    (event,) = events(stack, "affiliate.click")
    assert event["sequence"] == 1
    data = event["data"]
    assert data == {
        "id": clicked,
        "link_id": link["id"],
        "campaign": "spring",
        "product_id": None,
        "bot": False,
        "unique": True,
        "created_at": data["created_at"],
        "attribution_expires_at": data["attribution_expires_at"],
    }
    made = datetime.fromisoformat(data["created_at"])
    assert datetime.fromisoformat(data["attribution_expires_at"]) == made + timedelta(days=30)


def test_unique_clicks_count_each_visitor_once_a_day(
    stack: InProcessApi, link: Any, clock: list[float]
) -> None:
    for ip in (SHOPPER_IP, SHOPPER_IP, SHOPPER_IP, "203.0.113.9"):
        click_id(follow(stack, link["code"], ip=ip))
    clock[0] += 24 * 3600
    click_id(follow(stack, link["code"], ip=SHOPPER_IP))
    stats = get_link(stack, link["id"])["stats"]
    assert (stats["clicks"], stats["unique_clicks"]) == (5, 3)


def test_an_unknown_disabled_or_expired_code_is_a_404_page_never_a_redirect(
    stack: InProcessApi, link: Any, clock: list[float]
) -> None:
    expiring = create_link(stack, expires_at=datetime.fromtimestamp(clock[0] + 60, UTC).isoformat())
    disabled = create_link(stack)
    ok(call(stack, "PATCH", f"{LINKS}/{disabled['id']}", {"status": "disabled"}))
    assert follow(stack, expiring["code"]).status == 302
    clock[0] += 61
    for code in (
        expiring["code"],
        disabled["code"],
        "AAAAAAAAAA",
        link["code"].swapcase(),
        link["code"][:-1],
        link["code"] + "x",
        "x",
        "%2F%2Fevil.example",
        "https:%2F%2Fevil.example",
    ):
        for method in ("GET", "HEAD"):
            reply = follow(stack, code, method=method)
            assert reply.status == 404, (code, method)
            assert reply.header("Location") is None
            assert reply.header("Content-Type") == "text/html; charset=utf-8"
            assert reply.header("Cache-Control") == "no-store"
            assert reply.header("X-Request-Id")
            assert "Link not found" in reply.text
    assert get_link(stack, expiring["id"])["stats"]["clicks"] == 1
    assert get_link(stack, disabled["id"])["stats"] == ZERO_STATS


def test_each_address_is_rate_limited_heads_included(
    stack: InProcessApi, link: Any, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fashionos.affiliates.container import click_service
    from fashionos.percontainer import reset_all

    monkeypatch.setenv("REDIRECT_RATE_LIMIT_PER_MINUTE", "3")
    reset_all()  # a new container reads the new limit
    monkeypatch.setattr(click_service(), "_clock", lambda: clock[0])
    assert follow(stack, link["code"], method="HEAD").status == 302
    assert follow(stack, link["code"]).status == 302
    assert follow(stack, "AAAAAAAAAA").status == 404
    refused = follow(stack, link["code"])
    assert refused.status == 429
    assert refused.header("Retry-After") == "50"
    assert refused.header("Content-Type") == "text/html; charset=utf-8"
    assert refused.header("Location") is None
    assert follow(stack, link["code"], ip="203.0.113.9").status == 302  # another address
    clock[0] += 60
    assert follow(stack, link["code"]).status == 302  # the next minute
    assert get_link(stack, link["id"])["stats"]["clicks"] == 3


def test_the_client_address_is_never_stored(stack: InProcessApi, link: Any) -> None:
    for ip in (SHOPPER_IP, "2001:db8::17"):
        click_id(follow(stack, link["code"], ip=ip))
        follow(stack, link["code"], ip=ip, method="HEAD")
    follow(stack, "AAAAAAAAAA", ip="192.0.2.44")
    kept = json.dumps(
        [table_items(stack, table) for table in ("AffiliateTable", "EventTable", "PartnerTable")],
        default=repr,  # the salt's bytes
    )
    for ip in (SHOPPER_IP, "2001:db8::17", "192.0.2.44"):
        assert ip not in kept
        assert ip.replace(".", "-") not in kept
    (salt,) = affiliate_items(stack, "SALT#")
    assert len(salt["salt"]["B"]) == 32
    hashes = {click["ip_hash"]["S"] for click in affiliate_items(stack, "CLICK#")}
    assert len(hashes) == 2
    assert all(re.fullmatch(r"[0-9a-f]{64}", ip_hash) for ip_hash in hashes)


def test_a_hot_links_counters_spread_over_shards_and_a_click_reads_nothing_it_writes(
    stack: InProcessApi, link: Any
) -> None:
    from fashionos import aws

    click_id(follow(stack, link["code"]))  # a warm container: the day's salt is cached
    calls: list[str] = []
    aws.dynamodb().meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name), unique_id="affiliate-calls"
    )
    try:
        for n in range(40):
            click_id(follow(stack, link["code"], ip=f"198.51.100.{n}"))
    finally:
        aws.dynamodb().meta.events.unregister("before-call.dynamodb", unique_id="affiliate-calls")
    redirect_calls = [name for name in calls if name != "Query"]  # not the stats reads below
    assert redirect_calls == ["UpdateItem", "GetItem", "PutItem", "TransactWriteItems"] * 40
    shards = {item["pk"]["S"] for item in affiliate_items(stack, f"LINK#{link['id']}#SHARD#")}
    assert len(shards) >= 3  # 41 clicks over 10 shards
    assert get_link(stack, link["id"])["stats"]["clicks"] == 41


# --- stats ---------------------------------------------------------------------------------------


def test_links_list_with_stats_by_campaign_and_day_range(stack: InProcessApi, clock: list[float]) -> None:
    register(stack)
    spring = create_link(stack, campaign="spring")
    summer = create_link(stack, campaign="summer")
    for _ in range(3):
        click_id(follow(stack, spring["code"]))
    click_id(follow(stack, summer["code"], user_agent="Twitterbot/1.0"))
    today = datetime.fromtimestamp(clock[0], UTC).date()
    clock[0] += 24 * 3600
    click_id(follow(stack, spring["code"]))

    def page(query: str = "") -> dict[str, Any]:
        return {link["id"]: link["stats"] for link in ok(call(stack, "GET", f"{LINKS}{query}"))["data"]}

    everything = page()
    assert (everything[spring["id"]]["clicks"], everything[spring["id"]]["unique_clicks"]) == (4, 2)
    assert everything[summer["id"]] == {**ZERO_STATS, "bot_clicks": 1}
    assert list(page("?campaign=summer")) == [summer["id"]]
    assert page("?campaign=autumn") == {}
    assert page(f"?from={today}&to={today}")[spring["id"]]["clicks"] == 3
    assert page(f"?from={today + timedelta(days=1)}")[spring["id"]]["clicks"] == 1
    assert page(f"?to={today - timedelta(days=1)}")[spring["id"]] == ZERO_STATS
    assert page(f"?from={today + timedelta(days=1)}&to={today}")[spring["id"]] == ZERO_STATS  # empty range
    assert get_link(stack, spring["id"], f"?to={today}")["stats"]["clicks"] == 3
    for bad in ("2026-13-01", "20260101", "2026-02-30", "today", "2026-1-1"):
        assert "from" in problem(call(stack, "GET", f"{LINKS}?from={bad}"), 400)["detail"]
        assert "to" in problem(call(stack, "GET", f"{LINKS}/{spring['id']}?to={bad}"), 400)["detail"]
    assert "colour" in problem(call(stack, "GET", f"{LINKS}?colour=red"), 400)["detail"]
    assert problem(call(stack, "GET", f"{LINKS}?cursor=x"), 400)


def test_link_pages_follow_the_cursor(stack: InProcessApi) -> None:
    register(stack)
    made = [create_link(stack)["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = ok(call(stack, "GET", f"{LINKS}?limit=2" + (f"&cursor={cursor}" if cursor else "")))
        seen += [link["id"] for link in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == made


# --- conversions ---------------------------------------------------------------------------------


def test_a_conversion_is_recorded_once_per_click_and_order(stack: InProcessApi, link: Any) -> None:
    clicked = click_id(follow(stack, link["code"]))
    body = {"click_id": clicked, "order_id": "SHOP-1001", "amount": {"amount": 4999, "currency": "EUR"}}
    first = ok(call(stack, "POST", CONVERSIONS, body), 201)
    assert CONVERSION_ID.fullmatch(first["id"])
    assert first == {
        "id": first["id"],
        "click_id": clicked,
        "link_id": link["id"],
        "order_id": "SHOP-1001",
        "amount": {"amount": 4999, "currency": "EUR"},
        "occurred_at": first["created_at"],
        "created_at": first["created_at"],
    }
    again = {**body, "amount": {"amount": 1, "currency": "USD"}}
    assert ok(call(stack, "POST", CONVERSIONS, again), 200) == first
    second = ok(call(stack, "POST", CONVERSIONS, {**body, "order_id": "SHOP-1002"}), 201)
    no_order = {"click_id": clicked, "amount": {"amount": 1000, "currency": "USD"}}
    third = ok(call(stack, "POST", CONVERSIONS, no_order), 201)
    assert ok(call(stack, "POST", CONVERSIONS, no_order), 200) == third
    stats = get_link(stack, link["id"])["stats"]
    assert stats == {
        "clicks": 1,
        "unique_clicks": 1,
        "bot_clicks": 0,
        "conversions": 3,
        "revenue": [{"amount": 9998, "currency": "EUR"}, {"amount": 1000, "currency": "USD"}],
        "conversion_rate": 3.0,
    }
    emitted = events(stack, "affiliate.conversion")
    assert sorted(e["data"]["id"] for e in emitted) == sorted([first["id"], second["id"], third["id"]])
    assert {e["sequence"] for e in emitted} == {1}


def test_a_conversion_with_an_idempotency_key_is_replayed(stack: InProcessApi, link: Any) -> None:
    clicked = click_id(follow(stack, link["code"]))
    body = {"click_id": clicked, "amount": {"amount": 100, "currency": "EUR"}}
    first = call(stack, "POST", CONVERSIONS, body, Idempotency_Key="conv-1")
    again = call(stack, "POST", CONVERSIONS, body, Idempotency_Key="conv-1")
    assert (first.status, again.status, again.json, again.header("Idempotent-Replayed")) == (
        201,
        201,
        first.json,
        "true",
    )
    assert get_link(stack, link["id"])["stats"]["conversions"] == 1


def test_another_orgs_or_an_unknown_click_is_not_found(
    stack: InProcessApi, link: Any, other_key: str
) -> None:
    clicked = click_id(follow(stack, link["code"]))
    amount = {"amount": 100, "currency": "EUR"}
    for click in (clicked, UNKNOWN_CLICK, "clk_x", link["id"]):
        reply = call(stack, "POST", CONVERSIONS, {"click_id": click, "amount": amount}, key=other_key)
        assert problem(reply, 404)
    assert problem(call(stack, "POST", CONVERSIONS, {"click_id": UNKNOWN_CLICK, "amount": amount}), 404)
    assert get_link(stack, link["id"])["stats"]["conversions"] == 0
    assert [item["sk"]["S"] for item in affiliate_items(stack, f"CLICK#{clicked}")] == [
        f"ORG#{stack.demo['org_id']}"
    ]  # the click, and no conversion of it


def test_a_conversion_must_fall_in_its_clicks_attribution_window(
    stack: InProcessApi, clock: list[float]
) -> None:
    register(stack)
    week = create_link(stack, attribution_window_days=7)
    clicked = click_id(follow(stack, week["code"]))
    clicked_at = datetime.fromtimestamp(clock[0], UTC)
    amount = {"amount": 100, "currency": "EUR"}

    def convert(occurred_at: datetime | None, order_id: str) -> Reply:
        body = {"click_id": clicked, "order_id": order_id, "amount": amount}
        if occurred_at is not None:
            body["occurred_at"] = occurred_at.isoformat()
        return call(stack, "POST", CONVERSIONS, body)

    future = problem(convert(clicked_at + timedelta(hours=1), "A"), 422)
    assert future["code"] == "conversion_time_invalid"
    assert "occurred_at" in future["detail"]
    assert problem(convert(clicked_at - timedelta(hours=1), "B"), 422)["code"] == "conversion_time_invalid"
    clock[0] += 8 * 24 * 3600
    assert problem(convert(None, "C"), 422)["code"] == "attribution_window_expired"
    assert problem(convert(clicked_at + timedelta(days=7, seconds=1), "D"), 422)["code"] == (
        "attribution_window_expired"
    )
    late_but_inside = convert(clicked_at + timedelta(days=6), "E")  # reported late, occurred in time
    assert ok(late_but_inside, 201)["occurred_at"] == (clicked_at + timedelta(days=6)).isoformat().replace(
        "+00:00", "Z"
    )
    assert get_link(stack, week["id"])["stats"]["conversions"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": {"amount": -1, "currency": "EUR"}}, "amount"),
        ({"amount": {"amount": 1.5, "currency": "EUR"}}, "amount"),
        ({"amount": {"amount": 100, "currency": "eur"}}, "currency"),
        ({"amount": {"amount": 100}}, "currency"),
        ({"amount": 100}, "amount"),
        ({"order_id": ""}, "order_id"),
        ({"order_id": "has space"}, "order_id"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"click_id": ""}, "click_id"),
        ({"click_id": None}, "click_id"),
        ({"link_id": UNKNOWN_LINK}, "link_id"),
    ],
)
def test_a_bad_conversion_is_a_400_naming_the_field(
    stack: InProcessApi, link: Any, body: dict[str, Any], field: str
) -> None:
    clicked = click_id(follow(stack, link["code"]))
    sent = {"click_id": clicked, "amount": {"amount": 100, "currency": "EUR"}, **body}
    assert field in problem(call(stack, "POST", CONVERSIONS, sent), 400)["detail"]
    assert get_link(stack, link["id"])["stats"]["conversions"] == 0


# --- orders convert --------------------------------------------------------------------------------


def shop(stack: InProcessApi, handle: str = "@maison", *, key: str | None = None) -> dict[str, Any]:
    """A storefront with one active EUR listing, TEE-1 at 25.00, 10 in stock."""
    sf = ok(
        call(
            stack,
            "POST",
            "/v1/storefronts",
            {"handle": handle, "name": "Maison", "currency": "EUR", "visibility": "public"},
            key=key,
        ),
        201,
    )["id"]
    listing = {
        "sku": "TEE-1",
        "title": "Tee",
        "price": {"amount": 2500, "currency": "EUR"},
        "status": "active",
    }
    product = ok(call(stack, "POST", f"/v1/storefronts/{sf}/products", listing, key=key), 201)["id"]
    ok(call(stack, "PUT", f"/v1/inventory/{sf}/TEE-1", {"on_hand": 10}, key=key))
    return {"storefront_id": sf, "product_id": product}


def order(stack: InProcessApi, sf: str, click: str, quantity: int = 2) -> dict[str, Any]:
    body = {
        "storefront_id": sf,
        "lines": [{"sku": "TEE-1", "quantity": quantity}],
        "affiliate_click_id": click,
    }
    return ok(call(stack, "POST", "/v1/orders", body), 201)  # type: ignore[no-any-return]


def test_an_order_with_a_click_converts_in_its_own_transaction(stack: InProcessApi, link: Any) -> None:
    sf = shop(stack)["storefront_id"]
    clicked = click_id(follow(stack, link["code"]))
    placed = order(stack, sf, clicked)
    assert placed["affiliate_click_id"] == clicked
    stats = get_link(stack, link["id"])["stats"]
    assert (stats["conversions"], stats["revenue"], stats["conversion_rate"]) == (
        1,
        [{"amount": 5000, "currency": "EUR"}],
        1.0,
    )
    (event,) = events(stack, "affiliate.conversion")
    assert {k: event["data"][k] for k in ("click_id", "link_id", "order_id", "amount", "occurred_at")} == {
        "click_id": clicked,
        "link_id": link["id"],
        "order_id": placed["id"],
        "amount": {"amount": 5000, "currency": "EUR"},
        "occurred_at": placed["created_at"],
    }
    # the order's conversion is its click's, for that order: reporting it again answers it
    body = {"click_id": clicked, "order_id": placed["id"], "amount": {"amount": 5000, "currency": "EUR"}}
    assert ok(call(stack, "POST", CONVERSIONS, body), 200)["id"] == event["data"]["id"]


def test_an_order_with_another_orgs_an_unknown_or_a_stale_click_converts_nothing(
    stack: InProcessApi, link: Any, other_key: str
) -> None:
    sf = shop(stack)["storefront_id"]
    register(stack, "other.example", key=other_key)
    theirs = create_link(stack, key=other_key, destination_url="https://other.example/")
    their_click = click_id(follow(stack, theirs["code"]))
    stale = click_id(follow(stack, link["code"]))
    dynamodb = stack.session.client("dynamodb")
    (item,) = affiliate_items(stack, f"CLICK#{stale}")
    dynamodb.update_item(  # the click was 31 days ago: past the link's 30-day window
        TableName=stack.local.physical["AffiliateTable"],
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET #at = :at",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues={":at": {"N": str(time.time() - 31 * 24 * 3600)}},
    )
    for click in (their_click, stale, UNKNOWN_CLICK, "not-a-click"):
        assert order(stack, sf, click, 1)["affiliate_click_id"] == click
    assert get_link(stack, link["id"])["stats"]["conversions"] == 0
    assert ok(call(stack, "GET", f"{LINKS}/{theirs['id']}", key=other_key))["stats"]["conversions"] == 0
    assert events(stack, "affiliate.conversion") == []


# --- another org, scopes ---------------------------------------------------------------------------


def test_another_orgs_link_is_not_found_and_nothing_changes(
    stack: InProcessApi, link: Any, other_key: str
) -> None:
    for method, body in (("GET", None), ("PATCH", {"status": "disabled"})):
        assert problem(call(stack, method, f"{LINKS}/{link['id']}", body, key=other_key), 404)
        assert problem(call(stack, method, f"{LINKS}/{UNKNOWN_LINK}", body), 404)
        assert problem(call(stack, method, f"{LINKS}/lnk_x", body), 404)
    assert ok(call(stack, "GET", LINKS, key=other_key))["data"] == []
    assert ok(call(stack, "GET", DOMAINS, key=other_key))["data"] == []
    assert get_link(stack, link["id"]) == link
    assert follow(stack, link["code"]).status == 302


ROUTE_SCOPES = [
    ("POST", DOMAINS, "affiliates:write"),
    ("GET", DOMAINS, "affiliates:read"),
    ("POST", LINKS, "affiliates:write"),
    ("GET", LINKS, "affiliates:read"),
    ("GET", f"{LINKS}/{UNKNOWN_LINK}", "affiliates:read"),
    ("PATCH", f"{LINKS}/{UNKNOWN_LINK}", "affiliates:write"),
    ("POST", CONVERSIONS, "affiliates:write"),
]


@pytest.mark.parametrize(
    ("method", "path", "scope"), ROUTE_SCOPES, ids=[f"{m} {p}" for m, p, _ in ROUTE_SCOPES]
)
def test_a_route_without_its_scope_is_403_insufficient_scope(
    stack: InProcessApi, method: str, path: str, scope: str
) -> None:
    _, key = stack.partners().create_sandbox_key(stack.demo["org_id"], frozenset(KNOWN_SCOPES - {scope}))
    reply = call(stack, method, path, {}, key=key)
    assert problem(reply, 403)["code"] == "insufficient_scope"
    assert f'scope="{scope}"' in (reply.header("WWW-Authenticate") or "")
    assert reply.header("RateLimit")
