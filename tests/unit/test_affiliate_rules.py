"""The affiliate links' pure rules: who is a bot, where the redirect sends a shopper, how counter shards
sum into stats, and which days a stats read takes."""

from __future__ import annotations

import pytest

from fashionos.affiliates.bots import is_bot
from fashionos.affiliates.links import stats_range
from fashionos.affiliates.records import ShortCode, Stats, Utm, day_of, query_names, summed, with_query
from fashionos.errors import InvalidRequest

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36"
)


@pytest.mark.parametrize(
    "user_agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "facebookexternalhit/1.1 Facebot Twitterbot/1.0",  # iMessage's previews
        "Twitterbot/1.0",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slack-ImgProxy (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "WhatsApp/2.23.20.0 A",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Applebot/0.1",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Pinterestbot/1.0",
        "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
        "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
        "Iframely/1.3.1 (+https://iframely.com/docs/about)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
        "Some Crawler 1.0",
        "link preview",
    ],
)
def test_known_preview_bots_and_crawlers_are_bots(user_agent: str) -> None:
    assert is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        CHROME,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 "
        "Instagram 330.0.3.12.235",
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 "
        "[Pinterest/Android]",  # the app's own browser: a person
        "curl/8.5.0",
        "python-httpx/0.27.0",
        "python-requests/2.32.3",
        "",
        None,
    ],
)
def test_people_and_plain_http_clients_are_not_bots(user_agent: str | None) -> None:
    assert not is_bot(user_agent)


@pytest.mark.parametrize(
    ("url", "added", "expected"),
    [
        ("https://shop.example", [("a", "1")], "https://shop.example?a=1"),
        ("https://shop.example/p", [("a", "1"), ("b", "2")], "https://shop.example/p?a=1&b=2"),
        ("https://shop.example/p?x=1", [("a", "1")], "https://shop.example/p?x=1&a=1"),
        ("https://shop.example/p?", [("a", "1")], "https://shop.example/p?a=1"),
        ("https://shop.example/p?x=1&", [("a", "1")], "https://shop.example/p?x=1&a=1"),
        ("https://shop.example/p#top", [("a", "1")], "https://shop.example/p?a=1#top"),
        ("https://shop.example/p?x=%2F#a?b#c", [("a", "1")], "https://shop.example/p?x=%2F&a=1#a?b#c"),
        (
            "https://shop.example/p?q=a+b",
            [("c", "spring sale & more")],
            "https://shop.example/p?q=a+b&c=spring%20sale%20%26%20more",
        ),
        ("https://shop.example/p?x=1", [], "https://shop.example/p?x=1"),
        (
            "https://shop.example/p",
            [("c", "a\r\nLocation: x")],
            "https://shop.example/p?c=a%0D%0ALocation%3A%20x",
        ),
    ],
)
def test_parameters_are_added_and_the_urls_own_kept_byte_for_byte(
    url: str, added: list[tuple[str, str]], expected: str
) -> None:
    assert with_query(url, added) == expected


def short_code(target: str, **fields: object) -> ShortCode:
    values: dict[str, object] = {
        "code": "AbCdEfGhIj",
        "org_id": "org_1",
        "link_id": "lnk_1",
        "target": target,
        "status": "active",
        "expires_at": None,
        "attribution_window_days": 30,
        "shards": 10,
        "campaign": None,
        "product_id": None,
        **fields,
    }
    return ShortCode(**values)  # type: ignore[arg-type]


def test_the_location_is_the_stored_target_with_the_click_id_only() -> None:
    utm = Utm(source="ig", campaign="spring")
    target = with_query("https://shop.example/p?color=red#reviews", utm.parameters())
    assert target == "https://shop.example/p?color=red&utm_source=ig&utm_campaign=spring#reviews"
    code = short_code(target)
    assert code.location("clk_1") == (
        "https://shop.example/p?color=red&utm_source=ig&utm_campaign=spring&fos_click=clk_1#reviews"
    )
    assert code.location(None) == target


def test_a_code_is_live_while_active_and_before_its_expiry() -> None:
    assert short_code("https://shop.example").live(1000)
    assert short_code("https://shop.example", expires_at=1001).live(1000)
    assert not short_code("https://shop.example", expires_at=1000).live(1000)
    assert not short_code("https://shop.example", status="disabled").live(1000)


def test_query_names_are_read_decoded() -> None:
    assert query_names("https://shop.example/p?a=1&fos%5Fclick=x&utm_source&b=#frag") == {
        "a",
        "fos_click",
        "utm_source",
        "b",
    }
    assert query_names("https://shop.example/p#?fos_click=x") == set()


def test_utm_parameters_in_a_fixed_order_only_those_given() -> None:
    assert Utm(campaign="c", source="s").parameters() == [("utm_source", "s"), ("utm_campaign", "c")]
    assert Utm().parameters() == []


def test_stats_sum_every_shard_and_day_revenue_per_currency() -> None:
    stats = summed(
        [
            {"clicks": 3, "unique_clicks": 2, "revenue_EUR": 1000, "conversions": 1},
            {"clicks": 1, "bot_clicks": 4},
            {"conversions": 2, "revenue_USD": 700, "revenue_EUR": 250},
            {},
        ]
    )
    assert stats == Stats(
        clicks=4, unique_clicks=2, bot_clicks=4, conversions=3, revenue=(("EUR", 1250), ("USD", 700))
    )
    assert stats.public() == {
        "clicks": 4,
        "unique_clicks": 2,
        "bot_clicks": 4,
        "conversions": 3,
        "revenue": [{"amount": 1250, "currency": "EUR"}, {"amount": 700, "currency": "USD"}],
        "conversion_rate": 0.75,
    }


def test_the_conversion_rate_is_rounded_and_zero_without_clicks() -> None:
    assert Stats(clicks=3, conversions=1).public()["conversion_rate"] == 0.3333
    assert Stats(conversions=2).public()["conversion_rate"] == 0
    assert Stats().public()["revenue"] == []


def test_counters_go_to_the_utc_day() -> None:
    assert day_of(0) == "1970-01-01"
    assert day_of(86399.9) == "1970-01-01"
    assert day_of(86400) == "1970-01-02"


def test_a_stats_range_takes_days_only() -> None:
    assert stats_range(None, None) == (None, None)
    assert stats_range("2026-01-31", "2024-02-29") == ("2026-01-31", "2024-02-29")  # empty, not refused
    for name, bad in (
        ("from", "2026-02-29"),
        ("from", "20260101"),
        ("to", "2026-W01-1"),
        ("to", "2026-1-01"),
    ):
        with pytest.raises(InvalidRequest, match=name):
            stats_range(*((bad, None) if name == "from" else (None, bad)))
