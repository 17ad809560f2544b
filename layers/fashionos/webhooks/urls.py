"""Webhook endpoint URLs that cannot be turned against us (SSRF): checked when an endpoint is registered, and
again before every delivery, since what a name resolves to can change (DNS rebinding).

- ``https://`` only; plain ``http://`` only to loopback, and only where the stack runs locally
  (``allow_loopback``), so a local receiver on 127.0.0.1 works.
- No user info (``user:pass@``), no fragment; hosts are ASCII DNS names or IP literals.
- IP literals only in their canonical spelling: decimal (``2130706433``), octal (``0177.0.0.1``), hex
  (``0x7f.1``) and shortened (``127.1``) forms, which some resolvers read as loopback, are refused.
- Every address a host resolves to must be public: not loopback, private, link-local (the cloud metadata
  endpoint 169.254.169.254), shared (CGNAT 100.64/10), multicast, reserved or unspecified; IPv6 likewise,
  including IPv4 embedded in IPv4-mapped (``::ffff:a.b.c.d``), NAT64 (``64:ff9b::/96``) and 6to4 addresses.

The delivery client must connect to the addresses ``resolve_public`` returned (not resolve again), and
never follow redirects.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fashionos.errors import InvalidRequest, Unprocessable

MAX_URL_LENGTH = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]


def system_resolve(host: str, port: int, type: int = 0) -> Sequence[tuple[Any, ...]]:
    """``socket.getaddrinfo``, looked up at call time (so a test can replace the system's resolver)."""
    return socket.getaddrinfo(host, port, type=type)


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class EndpointUrl:
    url: str
    scheme: str
    host: str  # lower-cased; an IPv6 literal without its brackets
    port: int
    literal: IPAddress | None  # the host, when it is an IP literal


class UnsafeWebhookUrl(InvalidRequest):
    """A webhook URL we will not call (400 at registration; a failed attempt at delivery)."""


class UnreachableWebhookUrl(Unprocessable):
    """A well-formed webhook URL whose host does not resolve, or resolves to an address that is not public
    (422 at registration; a failed attempt at delivery)."""

    code = "webhook_url_not_public"


def parse_endpoint_url(url: str) -> EndpointUrl:
    """The URL's parts, or ``UnsafeWebhookUrl`` for anything but a plain http(s) URL to a DNS name or a
    canonically written IP address. (Which schemes and addresses are allowed is ``resolve_public``'s.)"""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise UnsafeWebhookUrl(f"A webhook URL is 1-{MAX_URL_LENGTH} characters")
    if not url.isascii() or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise UnsafeWebhookUrl("A webhook URL is ASCII without spaces (IDN hosts in punycode)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeWebhookUrl("Not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UnsafeWebhookUrl("A webhook URL must use https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeWebhookUrl("A webhook URL must not carry user info (user:password@)")
    if parts.fragment:
        raise UnsafeWebhookUrl("A webhook URL must not have a #fragment")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeWebhookUrl("A webhook URL needs a host")
    return EndpointUrl(
        url=url,
        scheme=scheme,
        host=host,
        port=port if port is not None else (443 if scheme == "https" else 80),
        literal=_literal(host, bracketed=parts.netloc.startswith("[")),
    )


def _literal(host: str, *, bracketed: bool) -> IPAddress | None:
    if bracketed:
        try:
            if "%" in host:  # a zone id names an interface of ours
                raise ValueError(host)
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise UnsafeWebhookUrl("Not a valid IPv6 address") from None
    labels = host.rstrip(".").split(".")
    if all(_NUMERIC_LABEL.fullmatch(label) for label in labels) or _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            address = ipaddress.IPv4Address(host)  # dotted decimal, no leading zeros: nothing else
        except ValueError:
            raise UnsafeWebhookUrl("IP addresses must be written as four decimal numbers (a.b.c.d)") from None
        return address
    if not all(_LABEL.fullmatch(label) for label in labels) or len(host) > 253:
        raise UnsafeWebhookUrl("Not a valid host name")
    return None


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` (or the IPv4 address it embeds) is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if address.teredo is not None:
            return False
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def resolve_public(
    endpoint: EndpointUrl, *, allow_loopback: bool = False, resolve: Resolver = system_resolve
) -> list[IPAddress]:
    """The addresses to deliver to, all of them allowed; ``UnsafeWebhookUrl`` if any is not (or the name
    does not resolve). With ``allow_loopback`` (a local stack), loopback addresses are allowed, and plain
    http:// is allowed to them only."""
    if endpoint.literal is not None:
        addresses = [endpoint.literal]
    else:
        try:
            infos = resolve(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise UnreachableWebhookUrl(f"{endpoint.host} does not resolve") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    if not addresses:
        raise UnreachableWebhookUrl(f"{endpoint.host} does not resolve")
    loopback = all(address.is_loopback for address in addresses)
    if endpoint.scheme == "http" and not (allow_loopback and loopback):
        raise UnsafeWebhookUrl("A webhook URL must use https://")
    if allow_loopback and loopback:
        return addresses
    if not all(is_public(address) for address in addresses):
        raise UnreachableWebhookUrl(f"{endpoint.host} resolves to an address that is not public")
    return addresses
