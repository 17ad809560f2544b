"""One webhook POST, to addresses already checked (``urls.resolve_public``): the connection goes to those
exact addresses, never to a fresh lookup of the name, so DNS cannot change between check and use. TLS
still verifies the certificate for the URL's host name (SNI and hostname check use the name, not the IP).

Redirects are never followed; the whole attempt (connect, send, first KB of the answer) is bounded by one
timeout. Connection pools are kept per (address, host name) for the life of the container.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from fashionos.webhooks.deliveries import RESPONSE_EXCERPT_BYTES
from fashionos.webhooks.urls import EndpointUrl, IPAddress

TIMEOUT_SECONDS: Final = 15.0
USER_AGENT: Final = "FashionOS-Webhooks/1"

_pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int | None  # None: no response (connection refused or reset, timeout, TLS failure)
    duration_ms: int
    response: str  # the first KB of the body
    error: str | None = None
    retry_after: int | None = None  # seconds, from a Retry-After header


def post(
    endpoint: EndpointUrl,
    addresses: list[IPAddress],
    headers: dict[str, str],
    body: bytes,
    timeout: float = TIMEOUT_SECONDS,
) -> HttpResult:
    """POST ``body`` to ``endpoint`` through the first of ``addresses`` that accepts a connection."""
    started = time.monotonic()
    split = urlsplit(endpoint.url)
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    default_port = 443 if endpoint.scheme == "https" else 80
    if endpoint.port != default_port:
        host += f":{endpoint.port}"
    all_headers = {**headers, "Host": host, "User-Agent": USER_AGENT}
    error = "No address to connect to"
    for address in addresses:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            error = f"Timed out after {timeout:g} s"
            break
        try:
            response = _pool(endpoint, address).urlopen(
                "POST",
                target,
                body=body,
                headers=all_headers,
                redirect=False,
                retries=False,
                timeout=urllib3.Timeout(total=remaining),
                preload_content=False,
                assert_same_host=False,
            )
            try:
                excerpt = response.read(RESPONSE_EXCERPT_BYTES)
            finally:
                response.release_conn()
            return HttpResult(
                status=response.status,
                duration_ms=_elapsed_ms(started),
                response=excerpt.decode("utf-8", "replace"),
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        except urllib3.exceptions.NewConnectionError as caught:
            error = f"Could not connect to {address}: {_reason(caught)}"
        except (urllib3.exceptions.TimeoutError, TimeoutError):
            error = f"Timed out after {timeout:g} s"
            break
        except (Urllib3Error, OSError) as caught:
            error = f"{type(caught).__name__}: {_reason(caught)}"
            break
    return HttpResult(status=None, duration_ms=_elapsed_ms(started), response="", error=error)


def _pool(endpoint: EndpointUrl, address: IPAddress) -> urllib3.HTTPConnectionPool:
    key = (endpoint.scheme, str(address), endpoint.port, endpoint.host)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            if endpoint.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    str(address),
                    endpoint.port,
                    maxsize=10,
                    server_hostname=endpoint.host,
                    assert_hostname=endpoint.host,
                    cert_reqs="CERT_REQUIRED",
                )
            else:
                pool = urllib3.HTTPConnectionPool(str(address), endpoint.port, maxsize=10)
            _pools[key] = pool
        return pool


def _retry_after(value: str | None) -> int | None:
    """Seconds from a ``Retry-After`` of delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return max(0, int(parsedate_to_datetime(value).timestamp() - time.time()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _reason(error: BaseException) -> str:
    return str(getattr(error, "reason", None) or error)[:200]


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
