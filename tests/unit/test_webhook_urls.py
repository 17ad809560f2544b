"""Webhook URLs and SSRF: every form of a non-public target is refused, public ones pass. DNS is a fake
resolver, so a host can be made to resolve anywhere (as an attacker's DNS would)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from fashionos.webhooks.urls import (
    UnreachableWebhookUrl,
    UnsafeWebhookUrl,
    parse_endpoint_url,
    resolve_public,
)


def resolver(*addresses: str) -> Any:
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        if not addresses:
            raise socket.gaierror("no such host")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


PUBLIC = resolver("93.184.216.34")


def allowed(url: str, resolve: Any = PUBLIC, *, local: bool = False) -> list[str]:
    endpoint = parse_endpoint_url(url)
    return [str(a) for a in resolve_public(endpoint, allow_loopback=local, resolve=resolve)]


def refused(url: str, resolve: Any = PUBLIC, *, local: bool = False) -> str:
    """Why the URL is never called: malformed (UnsafeWebhookUrl, 400) or not public (422)."""
    with pytest.raises((UnsafeWebhookUrl, UnreachableWebhookUrl)) as caught:
        allowed(url, resolve, local=local)
    return caught.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/fashionos",
        "https://hooks.example.com:8443/x?y=1",
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
        "HTTPS://Hooks.Example.COM/",
    ],
)
def test_public_https_urls_are_allowed(url: str) -> None:
    assert allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://10.0.0.1/",
        "https://172.16.5.4/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "https://100.64.0.1/",  # CGNAT
        "https://0.0.0.0/",
        "https://224.0.0.1/",  # multicast
        "https://240.0.0.1/",  # reserved
        "https://255.255.255.255/",
        "https://192.0.2.1/",  # documentation
        "https://[::1]/",
        "https://[::]/",
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "https://[ff02::1]/",
        "https://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "https://[::ffff:169.254.169.254]/",
        "https://[::ffff:a9fe:a9fe]/",  # the same, in hex
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "https://[2001:0::1]/",  # Teredo
    ],
)
def test_non_public_ip_literals_are_refused(url: str) -> None:
    assert refused(url) == f"{parse_endpoint_url(url).host} resolves to an address that is not public"


@pytest.mark.parametrize(
    "url",
    [
        "https://2130706433/",  # decimal 127.0.0.1
        "https://0177.0.0.1/",  # octal
        "https://0x7f.0.0.1/",  # hex
        "https://0x7f000001/",
        "https://127.1/",  # shortened
        "https://127.0.0.01/",  # a leading zero
        "https://169.254.43518/",  # 169.254.169.254, two-part form
        "https://example.0x7f/",
        "https://1.2.3.4.5/",
    ],
)
def test_non_standard_ip_spellings_are_refused(url: str) -> None:
    assert refused(url) == "IP addresses must be written as four decimal numbers (a.b.c.d)"


@pytest.mark.parametrize(
    ("addresses", "why"),
    [
        (("127.0.0.1",), "loopback"),
        (("10.1.2.3",), "private"),
        (("169.254.169.254",), "metadata"),
        (("93.184.216.34", "10.0.0.1"), "one public, one private"),
        (("::ffff:10.0.0.1",), "mapped private"),
        (("fd00::1",), "unique local"),
    ],
)
def test_a_name_that_resolves_to_any_non_public_address_is_refused(
    addresses: tuple[str, ...], why: str
) -> None:
    assert "not public" in refused("https://rebind.example.net/hook", resolver(*addresses)), why


def test_a_name_that_does_not_resolve_is_refused() -> None:
    assert refused("https://nowhere.invalid/", resolver()) == "nowhere.invalid does not resolve"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/", "A webhook URL must use https://"),
        ("ftp://hooks.example.com/", "A webhook URL must use https://"),
        ("javascript:alert(1)", "A webhook URL must use https://"),
        ("hooks.example.com/path", "A webhook URL must use https://"),
        ("https://user:pass@hooks.example.com/", "A webhook URL must not carry user info (user:password@)"),
        ("https://hooks.example.com@127.0.0.1/", "A webhook URL must not carry user info (user:password@)"),
        ("https://hooks.example.com/#frag", "A webhook URL must not have a #fragment"),
        ("https:///path", "A webhook URL needs a host"),
        ("https://hooks.example.com:99999/", "Not a valid URL"),
        ("https://hooks example.com/", "A webhook URL is ASCII without spaces (IDN hosts in punycode)"),
        ("https://hôtel.example/", "A webhook URL is ASCII without spaces (IDN hosts in punycode)"),
        ("https://under_score.example/", "Not a valid host name"),
        ("https://[fe80::1%25eth0]/", "Not a valid IPv6 address"),
        ("https://" + "a" * 2048, "A webhook URL is 1-2048 characters"),
        ("", "A webhook URL is 1-2048 characters"),
    ],
)
def test_malformed_urls_are_refused_with_a_clear_message(url: str, message: str) -> None:
    assert refused(url) == message


def test_a_local_stack_allows_http_and_https_to_loopback_only() -> None:
    assert allowed("http://127.0.0.1:8080/hook", local=True) == ["127.0.0.1"]
    assert allowed("http://localhost:8080/hook", resolver("127.0.0.1", "::1"), local=True)
    assert allowed("https://[::1]:8443/hook", local=True) == ["::1"]
    assert refused("http://hooks.example.com/", local=True) == "A webhook URL must use https://"
    assert "not public" in refused("https://10.0.0.1/", local=True)
    assert "not public" in refused("https://127.0.0.1/")  # not where the stack is deployed
