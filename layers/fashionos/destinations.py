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

from fashionos.errors import InvalidRequest, Unprocessable

MAX_URL_LENGTH: Final = 2048
MAX_DOMAIN_LENGTH: Final = 253
# A DNS name of two labels or more, its top label alphabetic (or an xn-- one), any case. Every pattern here
# means the same in pydantic (Rust's regex: no look-around), Python's ``re`` and ECMA-262 (the documents).
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN_PATTERN: Final = f"^({_LABEL}[.])+([A-Za-z]{{2,63}}|[Xx][Nn]--[A-Za-z0-9-]{{1,59}})$"
_DOMAIN = re.compile(DOMAIN_PATTERN)
# An absolute https URL whose host is letters, digits, dots and hyphens, without userinfo, spaces or
# backslashes: what the documents state of such a URL, and all that makes one well-formed here.
HTTPS_URL_PATTERN: Final = r"^https://[A-Za-z0-9.-]+(:443)?([/?#][\x21-\x5b\x5d-\x7e]*)?$"
_URL = re.compile(HTTPS_URL_PATTERN)


class DestinationNotAllowed(Unprocessable):
    """A well-formed https URL on a host the org has not registered."""

    code = "destination_not_allowed"


def normalise_domain(text: str) -> str:
    """``Shop.Example`` -> ``shop.example``; refuses what is not a public DNS name (IPs, single labels,
    ``localhost``, a trailing dot)."""
    if len(text) > MAX_DOMAIN_LENGTH or not _DOMAIN.fullmatch(text):
        raise InvalidRequest(
            "domain: a DNS name such as shop.example (letters, digits and hyphens, at least two labels, "
            f"at most {MAX_DOMAIN_LENGTH} characters, an international name in its xn-- form)"
        )
    return text.lower()


def https_url(url: str, field: str) -> tuple[str, str]:
    """``url`` and its host (lower-cased) when it is an absolute https URL by the rules above, else
    ``InvalidRequest`` naming ``field``. Whether the host is one of the org's is ``allowed_url``'s
    question (422), not this one."""
    if len(url) > MAX_URL_LENGTH or not _URL.fullmatch(url):
        raise InvalidRequest(
            f"{field}: an absolute https:// URL of printable ASCII (at most {MAX_URL_LENGTH} characters, "
            "no spaces, backslashes or user:password@)"
        )
    host = url[len("https://") :].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return url, host.removesuffix(":443").lower()


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
