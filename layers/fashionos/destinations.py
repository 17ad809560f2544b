"""Where a partner may send a shopper: https URLs on the web domains its org registered (affiliate links'
destinations, try-on sessions' ``return_url``). The one place an open redirect could creep in, so the rules
are strict and read only what a browser would read:

- the URL is ``https://`` + host (+ ``:443``) + path/query/fragment, printable ASCII only (an international
  domain in its ``xn--`` form), no backslash (browsers read ``\\`` as ``/``), no userinfo (``user@host``:
  ``https://shop.example@evil.example`` goes to evil.example), no percent-escapes in the host;
- its host is a registered domain or a subdomain of one (``www.shop.example`` under ``shop.example``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

from fashionos.errors import InvalidRequest, Unprocessable

MAX_URL_LENGTH: Final = 2048
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_PATTERN: Final = rf"(?=.{{4,253}}$)(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})"
_DOMAIN = re.compile(DOMAIN_PATTERN)
# What the OpenAPI documents state of such a URL (the full rules are ``https_url``'s).
HTTPS_URL_PATTERN: Final = r"^https://[A-Za-z0-9.-]+(:443)?([/?#][\x21-\x5b\x5d-\x7e]*)?$"
_URL = re.compile(HTTPS_URL_PATTERN)


class DestinationNotAllowed(Unprocessable):
    """A well-formed https URL on a host the org has not registered."""

    code = "destination_not_allowed"


def normalise_domain(text: str) -> str:
    """``Shop.Example.`` -> ``shop.example``; refuses what is not a public DNS name (IPs, single labels,
    ``localhost``)."""
    domain = text.strip().lower().removesuffix(".")
    if not _DOMAIN.fullmatch(domain):
        raise InvalidRequest(
            "domain: a DNS name such as shop.example (letters, digits and hyphens, at least two labels, "
            "an international name in its xn-- form)"
        )
    return domain


def https_url(url: str, field: str) -> tuple[str, str]:
    """``url`` as ``(url, host)`` when it is an absolute https URL by the rules above, else
    ``InvalidRequest`` naming ``field``."""
    if len(url) > MAX_URL_LENGTH or not _URL.fullmatch(url):
        raise InvalidRequest(
            f"{field}: an absolute https:// URL of printable ASCII (at most {MAX_URL_LENGTH} characters, "
            "no spaces, backslashes or user:password@)"
        )
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not _DOMAIN.fullmatch(host) or parts.username is not None:
        raise InvalidRequest(f"{field}: the host must be a DNS name such as shop.example")
    return url, host


def on_domains(host: str, domains: Iterable[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def allowed_url(url: str, domains: Iterable[str], field: str) -> str:
    """``url`` if it is an https URL on one of ``domains`` (``DestinationNotAllowed`` otherwise)."""
    checked, host = https_url(url, field)
    if not on_domains(host, domains):
        raise DestinationNotAllowed(
            f"{field}: {host} is not one of the org's registered domains (register it with "
            "POST /v1/affiliates/domains)"
        )
    return checked
