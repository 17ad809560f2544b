"""Link-preview bots and crawlers, by user agent: their GETs of a short link are redirected like anyone's
but counted as ``bot_clicks``, never as clicks.

Known fetchers by name (chat apps and social networks unfurling a link, search engines), then the words
crawlers put in their product tokens (``AhrefsBot/7.0``, ``+http://...`` contact URLs). Plain HTTP clients
(curl, python-httpx) and an empty user agent are not bots here: they are how partners test their links.
"""

from __future__ import annotations

import re
from typing import Final

_KNOWN: Final = (
    "facebookexternalhit",
    "facebookcatalog",
    "facebot",
    "meta-externalagent",
    "twitterbot",
    "linkedinbot",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "googlebot",
    "google-inspectiontool",
    "googleother",
    "bingbot",
    "bingpreview",
    "applebot",
    "duckduckbot",
    "yandexbot",
    "baiduspider",
    "pinterestbot",
    "redditbot",
    "embedly",
    "iframely",
    "vkshare",
    "mastodon",
)
# A word of its own (``Google Web Preview``), a product token ending in one (``SemrushBot/7``,
# ``PetalBot;``: not ``CUBOT``, a phone), or a crawler's contact URL (``+https://example.com/bot``).
_GENERIC: Final = (
    r"\b(?:bot|crawler|spider|preview)\b",
    r"[a-z0-9](?:bot|crawler|spider|preview)[/;]",
    r"\+https?://",
)
BOT_USER_AGENT: Final = re.compile("|".join([*map(re.escape, _KNOWN), *_GENERIC]), re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    return bool(user_agent) and BOT_USER_AGENT.search(user_agent or "") is not None
