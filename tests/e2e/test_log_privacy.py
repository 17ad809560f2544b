"""No personal data and no secret in any log line (GDPR: "Retention and logs").

Every operation of both APIs — read from the committed OpenAPI documents, and every route of the template, so
that a new one is covered the day it is added — is called against the local stack: once as a partner would,
successfully, and at least once refused, with requests that carry recognisable personal data and secrets:
shoppers' emails in orders, a customer to erase, client secrets (also in HTTP Basic), access tokens, session
tokens, API keys, sandbox keys, the handshake, webhook signing secrets, a client IP in ``X-Forwarded-For``
(``203.0.113.77``) and as the connection's own address (what the gateway passes on as ``sourceIp``), a
User-Agent and a Referer. Refusals include wrong credentials and secrets, and bodies, queries and paths with
an email inside a malformed field. Then every line the stack logged (its functions' Powertools JSON lines
and the devserver's own, ``devserver.log`` after the startup banner: this module's calls and every earlier
module's) is searched for each of those values and their obvious encodings (URL-encoded, base64, Basic
credentials, a token's signature, any letter case).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from apispec.build import DOCUMENTS_DIR
from devserver.template import LocalTemplate, load_template
from fashionos.identity.partner_models import KNOWN_SCOPES
from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack
from tests.e2e.test_assets import post_form
from tests.integration.test_assets_api import FILE, declaration
from tests.receiver import Receiver

pytestmark = E2E

BANNER_END = "Ctrl-C stops everything."  # the devserver's startup banner prints the demo credentials
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
WAIT_SECONDS = 60
# Public documents: any GET of them is answered (a query they do not read is ignored); their other
# methods are refused (405), like every route's.
REFUSE_NOTHING = {
    ("GET", path)
    for path in (
        "/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server",
        "/docs",
        "/openapi.json",
        "/api/v1/integration/docs",
        "/api/v1/integration/openapi.json",
    )
}
SHORTEST_MARKER = 10  # shorter strings could be anywhere


def token() -> str:
    return secrets.token_hex(5)


# Personal data, unique to this run (so any line holding it comes from a call of this module).
SHOPPER_EMAIL = f"Log.Privacy.{token()}@Shopper-{token()}.Example"
ERASED_EMAIL = f"Erase.Me.{token()}@Shopper-{token()}.Example"
CLIENT_IP = "203.0.113.77"  # the documentation range (RFC 5737): what a proxy in front would add
SOURCE_IP = "127.{}.{}.{}".format(*(2 + secrets.randbelow(250) for _ in range(3)))  # this client's own
USER_AGENT = f"LogPrivacyProbe/{token()} (shopper-device-{token()})"
REFERER = f"https://social.example/profile/{quote(SHOPPER_EMAIL)}"
# Secrets that are wrong: still secrets (a typo of the right one), never to be logged.
WRONG_CLIENT_SECRET = f"cs_wrong{token()}{token()}"
WRONG_HANDSHAKE = f"handshake-wrong-{token()}{token()}"
WRONG_API_KEY = f"fos_wrong{token()}{token()}"
WRONG_SANDBOX_KEY = f"sk_sandbox_wrong{token()}{token()}"
WRONG_TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJwcm9iZSJ9." + base64.urlsafe_b64encode(
    secrets.token_bytes(32)
).decode().rstrip("=")


# --- the routes ---------------------------------------------------------------------------------------
RouteKey = tuple[str, str]  # (METHOD or ANY, path template)


def documented_operations() -> set[RouteKey]:
    """Every operation of the committed OpenAPI documents."""
    found: set[RouteKey] = set()
    for api in ("integration", "partner"):
        paths = json.loads((DOCUMENTS_DIR / f"{api}.json").read_text())["paths"]
        found |= {(m.upper(), p) for p, item in paths.items() for m in item if m.upper() in HTTP_METHODS}
    return found


def template_routes() -> set[RouteKey]:
    """Every ``Api`` event of the template's functions (``ANY``: a path's other methods)."""
    local = LocalTemplate(load_template(), "log-privacy", {"Stage": "sandbox"})
    return {(route.method, route.path) for route in local.routes()}


def _specificity(path: str) -> tuple[int, ...]:
    """API Gateway's preference among matching resources, per segment: literal, ``{param}``, ``{proxy+}``."""
    return tuple(2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in path.split("/"))


def _pattern(path: str) -> re.Pattern[str]:
    parts = (
        ".+" if s.endswith("+}") else "[^/]+" if s.startswith("{") else re.escape(s) for s in path.split("/")
    )
    return re.compile("/".join(parts))


class Routes:
    def __init__(self, keys: set[RouteKey]) -> None:
        self.keys = keys
        self._paths = {path: _pattern(path) for _, path in keys}

    def key(self, method: str, path: str) -> RouteKey | None:
        """The route a request goes to: the most specific matching path, its method or else its ANY."""
        matching = [p for p, pattern in self._paths.items() if pattern.fullmatch(path)]
        if not matching:
            return None
        best = min(matching, key=_specificity)
        for wanted in (method, "ANY"):
            if (wanted, best) in self.keys:
                return wanted, best
        return None

    def methods(self, path: str) -> set[str]:
        return {method for method, p in self.keys if p == path and method != "ANY"}


# --- the probe: a client whose every request carries the markers -------------------------------------
class SourceAddress(HTTPAdapter):
    """Connections from ``address`` (any 127.x.y.z reaches the stack on 127.0.0.1)."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    status: int
    route: RouteKey | None
    probe: bool  # the generic refused request every route gets


@dataclass
class Probe:
    stack: DevStack
    routes: Routes
    secrets: dict[str, str] = field(default_factory=dict)  # name -> value, never to be logged
    sent: list[Sent] = field(default_factory=list)
    bearer: str = ""

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.mount("http://", SourceAddress(SOURCE_IP))

    def secret(self, name: str, value: str) -> str:
        self.secrets[f"{name} #{len(self.secrets) + 1}"] = value
        return value

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        auth: str | None = None,
        probe: bool = False,
        **options: Any,
    ) -> requests.Response:
        """``path`` with the markers' headers, as the probe's bearer token unless ``auth`` (an
        Authorization header value, or "" for none) or ``headers`` say otherwise."""
        sent = {"X-Forwarded-For": CLIENT_IP, "User-Agent": USER_AGENT, "Referer": REFERER}
        authorization = self.bearer_header() if auth is None else auth
        if authorization:
            sent["Authorization"] = authorization
        sent.update(headers or {})
        reply = self.session.request(
            method,
            self.stack.url(path),
            json=body,
            headers=sent,
            timeout=REQUEST_TIMEOUT,
            allow_redirects=False,
            **options,
        )
        url_path = urlsplit(path).path
        self.sent.append(Sent(method, url_path, reply.status_code, self.routes.key(method, url_path), probe))
        return reply

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **options: Any) -> Any:
        reply = self.call(method, path, body, **options)
        assert reply.status_code == status, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content and method != "HEAD" else None

    def refused(self, method: str, path: str, body: Any = None, status: int = 400, **options: Any) -> Any:
        reply = self.call(method, path, body, **options)
        assert reply.status_code == status, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None

    def bearer_header(self) -> str:
        return f"Bearer {self.bearer}" if self.bearer else ""

    def basic(self, client_id: str, secret: str) -> str:
        value = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        self.secret("HTTP Basic credentials", value.removeprefix("Basic "))
        return value

    def wait(self, what: str, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.2)


def signature(jwt: str) -> str:
    return jwt.rsplit(".", 1)[-1]


# --- the walk: every operation, as a partner calls it, and refused -----------------------------------
def org_with_client(probe: Probe, stack: DevStack) -> dict[str, str]:
    """An org of this module's (every scope, approved for try-on, a registered domain) and its client."""
    handle = f"@logp_{token()}"
    org = stack.admin("create-org", "--handle", handle, "--twin-active")["org_id"]
    scopes = [arg for scope in sorted(KNOWN_SCOPES) for arg in ("--scope", scope)]
    client = stack.admin("create-client", org, *scopes, "--rate-tier", "burst-5k")
    stack.admin("set-tryon", org, "--type", "AR", "--type", "AI")
    domain = f"shop-{token()}.example"
    stack.admin("add-domain", org, domain)
    probe.secret("client secret", client["client_secret"])
    return {"org_id": org, "handle": handle, "domain": domain, **client}


def oauth(probe: Probe, stack: DevStack, client: dict[str, str]) -> None:
    cid, secret = client["client_id"], client["client_secret"]
    grant = {"grant_type": "client_credentials"}
    issued = probe.ok("POST", "/oauth/token", auth=probe.basic(cid, secret), data=grant)
    probe.bearer = probe.secret("access token", issued["access_token"])
    probe.secret("access token signature", signature(probe.bearer))
    posted = {**grant, "client_id": cid, "client_secret": secret}
    to_revoke = probe.secret(
        "access token", probe.ok("POST", "/oauth/token", auth="", data=posted)["access_token"]
    )
    probe.secret("access token signature", signature(to_revoke))
    # refused: a wrong secret (Basic, form, JSON), an email as the client id, an email among the scopes
    probe.refused("POST", "/oauth/token", auth=probe.basic(cid, WRONG_CLIENT_SECRET), data=grant, status=401)
    wrong = {**grant, "client_id": cid, "client_secret": WRONG_CLIENT_SECRET}
    probe.refused("POST", "/oauth/token", auth="", data=wrong, status=401)
    probe.refused("POST", "/oauth/token", wrong, auth="", status=401)
    probe.refused("POST", "/oauth/token", auth="", data={**wrong, "client_id": SHOPPER_EMAIL}, status=401)
    scoped = {**grant, "scope": f"profile:read {SHOPPER_EMAIL}"}
    probe.refused("POST", "/oauth/token", auth=probe.basic(cid, secret), data=scoped)
    # introspection and revocation
    basic = probe.basic(cid, secret)
    assert probe.ok("POST", "/oauth/introspect", auth=basic, data={"token": probe.bearer})["active"] is True
    inactive = {"token": f"{WRONG_TOKEN}.{SHOPPER_EMAIL}"}
    assert probe.ok("POST", "/oauth/introspect", auth=basic, data=inactive)["active"] is False
    wrong_basic = probe.basic(cid, WRONG_CLIENT_SECRET)
    probe.refused("POST", "/oauth/introspect", auth=wrong_basic, data={"token": probe.bearer}, status=401)
    probe.ok("POST", "/oauth/revoke", auth=basic, data={"token": to_revoke})
    probe.refused("POST", "/oauth/revoke", auth="", data={"token": to_revoke, **wrong}, status=401)
    # the token endpoints' documents, and the API references
    for path in ("/.well-known/jwks.json", "/.well-known/oauth-authorization-server"):
        probe.ok("GET", path)
    for base in ("", "/api/v1/integration"):
        for path in ("/docs", "/docs/docs.js", "/openapi.json"):
            assert probe.call("GET", base + path).status_code == 200, base + path
        probe.refused("GET", f"{base}/docs/{quote(SHOPPER_EMAIL)}", status=404)
    # the authorizer: a forged token, a revoked one, a wrong sandbox key; then the right ones
    probe.refused("GET", "/v1/me", auth=f"Bearer {WRONG_TOKEN}", status=401)
    probe.refused("GET", "/v1/me", auth=f"Bearer {to_revoke}", status=401)
    probe.refused("GET", "/v1/me", auth="", headers={"X-Api-Key": WRONG_SANDBOX_KEY}, status=401)
    probe.ok("GET", "/v1/me")
    probe.ok("GET", "/v1/me", auth="", headers={"X-Api-Key": stack.credentials["sandbox_api_key"]})


def integration(probe: Probe, stack: DevStack) -> None:
    user = stack.new_user()
    probe.secret("API key", user.api_key)
    handshake = stack.handshake
    base = "/api/v1/integration"
    tryon, calls, products = (
        f"{base}/{name}"
        for name in ("increase-tryon-usage-count", "increase-api-key-usage-count", "set-user-product-number")
    )
    counted = {"handshake": handshake, "type": "AR", "count": 1, "api_key": user.api_key}
    probe.ok("POST", tryon, counted, headers={"Idempotency-Key": f"log-privacy-{token()}"})
    probe.ok(
        "POST", calls, {"handshake": handshake, "api_key": user.api_key, "count": 2, "user_id": user.user_id}
    )
    probe.ok("POST", products, {"handshake": handshake, "user_id": user.user_id, "value": 3})
    # refused: the wrong handshake, a wrong or inactive key, an email where a field wants something else
    probe.refused("POST", tryon, {**counted, "handshake": WRONG_HANDSHAKE}, status=401)
    probe.refused("POST", calls, {"handshake": handshake, "api_key": WRONG_API_KEY, "count": 1}, status=403)
    inactive = stack.credentials["inactive_api_key"]
    probe.refused("POST", calls, {"handshake": handshake, "api_key": inactive, "count": 1}, status=403)
    probe.refused("POST", tryon, {**counted, "count": SHOPPER_EMAIL})
    probe.refused("POST", tryon, {**counted, "type": SHOPPER_EMAIL})
    probe.refused("POST", tryon, {**counted, "email": SHOPPER_EMAIL})
    probe.refused("POST", products, {"handshake": handshake, "user_id": user.user_id, "value": SHOPPER_EMAIL})
    probe.refused("POST", products, {"handshake": handshake, "user_id": f"{SHOPPER_EMAIL} x", "value": 1})
    probe.refused(
        "POST", products, {"handshake": handshake, "user_id": SHOPPER_EMAIL, "value": 1}, status=404
    )
    truncated = json.dumps({"handshake": handshake, "user_id": SHOPPER_EMAIL})[:-2]
    probe.refused("POST", products, data=truncated, headers={"Content-Type": "application/json"})
    probe.refused("POST", products, data=f"email={SHOPPER_EMAIL}", headers={"Content-Type": "text/plain"})


@dataclass
class Commerce:
    storefront: str
    product: str
    archived: str


def commerce(probe: Probe) -> Commerce:
    shop = {"handle": f"@logp{token()}", "name": "Log privacy", "currency": "EUR", "visibility": "public"}
    sf = probe.ok("POST", "/v1/storefronts", shop, 201)["id"]
    probe.refused("POST", "/v1/storefronts", {**shop, "handle": SHOPPER_EMAIL})
    probe.refused("POST", "/v1/storefronts", {**shop, "handle": f"@logp{token()}", "owner": SHOPPER_EMAIL})
    probe.ok("GET", "/v1/storefronts")
    probe.ok("GET", f"/v1/storefronts/{sf}")
    probe.refused("GET", f"/v1/storefronts/{quote(SHOPPER_EMAIL)}", status=404)
    probe.ok("PATCH", f"/v1/storefronts/{sf}", {"description": "Autumn"})
    probe.refused("PATCH", f"/v1/storefronts/{sf}", {"visibility": SHOPPER_EMAIL})
    sku = "LOGP-TEE"
    listing = {"sku": sku, "title": "Tee", "price": {"amount": 2500, "currency": "EUR"}, "status": "active"}
    products = f"/v1/storefronts/{sf}/products"
    product = probe.ok("POST", products, listing, 201)["id"]
    archived = probe.ok("POST", products, {**listing, "sku": "LOGP-OLD"}, 201)["id"]
    probe.refused("POST", products, {**listing, "sku": SHOPPER_EMAIL})
    probe.ok("GET", f"{products}?status=active")
    probe.refused("GET", f"{products}?status={quote(SHOPPER_EMAIL)}")
    probe.ok("GET", f"{products}/{product}")
    probe.ok("PUT", f"/v1/inventory/{sf}/{sku}", {"on_hand": 20})
    probe.refused("PUT", f"/v1/inventory/{sf}/{sku}", {"on_hand": SHOPPER_EMAIL})
    adjustment = {"delta": -1, "reason": f"returned by {SHOPPER_EMAIL}"}  # stored, and never logged
    probe.ok("POST", f"/v1/inventory/{sf}/{sku}/adjustments", adjustment, 201)
    probe.refused("POST", f"/v1/inventory/{sf}/{sku}/adjustments", {**adjustment, "delta": SHOPPER_EMAIL})
    probe.ok("GET", f"/v1/inventory/{sf}/{sku}/adjustments")
    probe.ok("GET", f"/v1/inventory?storefrontId={sf}")
    probe.refused("GET", f"/v1/inventory?storefrontId={quote(SHOPPER_EMAIL)}", status=404)
    line = [{"sku": sku, "quantity": 1}]
    orders = [
        probe.ok("POST", "/v1/orders", {"storefront_id": sf, "lines": line, "customer": customer}, 201)["id"]
        for customer in (
            {"email": SHOPPER_EMAIL, "country": "DE"},
            {"email": ERASED_EMAIL, "country": "FR"},
            {"email": SHOPPER_EMAIL.lower()},
        )
    ]
    for customer in (
        {"email": SHOPPER_EMAIL, "country": SHOPPER_EMAIL},
        {"email": f"{SHOPPER_EMAIL} <{SHOPPER_EMAIL}>"},
        {"email": SHOPPER_EMAIL, "phone": "+33 6 12 34 56 78"},
        {"email": [SHOPPER_EMAIL]},
    ):
        probe.refused("POST", "/v1/orders", {"storefront_id": sf, "lines": line, "customer": customer})
    probe.refused("POST", "/v1/orders", {"storefront_id": SHOPPER_EMAIL, "lines": line}, status=404)
    probe.ok("GET", f"/v1/orders?storefrontId={sf}")
    probe.ok("GET", f"/v1/orders/{orders[0]}")
    probe.refused("GET", f"/v1/orders/{quote(SHOPPER_EMAIL)}", status=404)
    probe.ok("POST", f"/v1/orders/{orders[0]}/fulfill")
    probe.ok("POST", f"/v1/orders/{orders[2]}/cancel")
    probe.refused("POST", f"/v1/orders/{orders[0]}/cancel", {"email": SHOPPER_EMAIL})
    return Commerce(sf, product, archived)


def erasure(probe: Probe) -> None:
    erased = probe.ok("POST", "/v1/customers/erase", {"email": ERASED_EMAIL.upper()})
    assert erased["orders_erased"] == 1, erased
    probe.refused("POST", "/v1/customers/erase", {"email": ERASED_EMAIL, "name": "Erase Me"})
    probe.refused("POST", "/v1/customers/erase", {"email": f"not an email: {ERASED_EMAIL} x"})
    probe.refused("POST", "/v1/customers/erase", {"emails": [ERASED_EMAIL]})


def tryon(probe: Probe, shop: Commerce, domain: str) -> None:
    back = f"https://{domain}/back?shopper={quote(SHOPPER_EMAIL)}"
    body = {"product_id": shop.product, "type": "AR", "return_url": back}
    session = probe.ok("POST", "/v1/tryon/sessions", body, 201)
    session_token = probe.secret("session token", session["session_token"])
    probe.secret("session token signature", signature(session_token))
    elsewhere = f"https://elsewhere-{token()}.example/?shopper={SHOPPER_EMAIL}"
    probe.refused("POST", "/v1/tryon/sessions", {**body, "return_url": elsewhere}, status=422)
    probe.refused("POST", "/v1/tryon/sessions", {**body, "locale": SHOPPER_EMAIL})
    probe.ok("GET", f"/v1/tryon/sessions?product_id={shop.product}")
    probe.refused("GET", f"/v1/tryon/sessions?since={quote(SHOPPER_EMAIL)}")
    probe.ok("GET", f"/v1/tryon/sessions/{session['id']}")
    probe.ok("GET", "/tryon/v1/session", auth=f"Bearer {session_token}")
    probe.refused("GET", "/tryon/v1/session", auth=f"Bearer {WRONG_TOKEN}", status=401)
    probe.refused(
        "POST", "/tryon/v1/session/complete", {"outcome": SHOPPER_EMAIL}, auth=f"Bearer {session_token}"
    )
    complete = {"outcome": "completed", "duration_ms": 1200}
    probe.ok("POST", "/tryon/v1/session/complete", complete, auth=f"Bearer {session_token}")
    second = probe.ok("POST", "/v1/tryon/sessions", {**body, "type": "AI"}, 201)
    probe.secret("session token", second["session_token"])
    probe.secret("session token signature", signature(second["session_token"]))
    probe.ok("POST", f"/v1/tryon/sessions/{second['id']}/revoke")
    probe.refused("POST", f"/v1/tryon/sessions/{second['id']}/revoke", status=409)


def affiliates(probe: Probe, domain: str) -> None:
    probe.ok("GET", "/v1/affiliates/domains")
    probe.ok("POST", "/v1/affiliates/domains", {"domain": f"more-{token()}.example"}, 201)
    probe.refused("POST", "/v1/affiliates/domains", {"domain": SHOPPER_EMAIL})
    link_body = {"destination_url": f"https://{domain}/tee", "campaign": "spring", "utm": {"source": "ig"}}
    link = probe.ok("POST", "/v1/affiliates/links", link_body, 201)
    elsewhere = {"destination_url": f"https://elsewhere-{token()}.example/?shopper={SHOPPER_EMAIL}"}
    probe.refused("POST", "/v1/affiliates/links", elsewhere, status=422)
    probe.refused("POST", "/v1/affiliates/links", {**link_body, "campaign": {"email": SHOPPER_EMAIL}})
    probe.ok("GET", "/v1/affiliates/links")
    probe.ok("GET", f"/v1/affiliates/links/{link['id']}")
    probe.ok("PATCH", f"/v1/affiliates/links/{link['id']}", {"campaign": "summer"})
    probe.refused("PATCH", f"/v1/affiliates/links/{link['id']}", {"expires_at": SHOPPER_EMAIL})
    # the public redirect, as a shopper's browser follows it (its User-Agent, Referer and address)
    redirect = f"/r/{link['code']}"
    followed = probe.call("GET", redirect, auth="")
    assert followed.status_code == 302, followed.text
    click = parse_qs(urlsplit(followed.headers["Location"]).query)["fos_click"][0]
    assert probe.call("HEAD", redirect, auth="").status_code == 302
    assert probe.call("GET", f"/r/{quote(SHOPPER_EMAIL)}", auth="").status_code == 404
    assert probe.call("HEAD", "/r/NoSuchCode0", auth="").status_code == 404
    amount = {"amount": 2500, "currency": "EUR"}
    conversion = {"click_id": click, "order_id": f"shop-{token()}", "amount": amount}
    probe.ok("POST", "/v1/affiliates/conversions", conversion, 201)
    probe.refused("POST", "/v1/affiliates/conversions", {**conversion, "click_id": SHOPPER_EMAIL}, status=404)
    probe.refused("POST", "/v1/affiliates/conversions", {**conversion, "occurred_at": SHOPPER_EMAIL})
    probe.refused("POST", "/v1/affiliates/conversions", {**conversion, "order_id": f"{SHOPPER_EMAIL} x"})


def webhooks(probe: Probe, receiver: Receiver) -> dict[str, Any]:
    events = ["order.created", "order.cancelled", "tryon.session.created", "affiliate.click"]
    # the endpoint's URL holds an email too (stored; never logged), and it fails a first delivery
    url = f"{receiver.url}?contact={quote(SHOPPER_EMAIL)}"
    body = {"url": url, "events": events, "description": "Log privacy"}
    webhook = probe.ok("POST", "/v1/webhooks", body, 201)
    receiver.answers.append(500)
    receiver.secret = probe.secret("webhook signing secret", webhook["secret"])
    probe.secret("webhook signing key", webhook["secret"].removeprefix("whsec_"))
    probe.refused("POST", "/v1/webhooks", {**body, "url": f"https://{SHOPPER_EMAIL}/hooks"})
    probe.refused(
        "POST", "/v1/webhooks", {**body, "url": f"https://user:{WRONG_CLIENT_SECRET}@hooks.example/"}
    )
    probe.refused("POST", "/v1/webhooks", {**body, "events": [SHOPPER_EMAIL]})
    return dict(webhook)


def webhooks_after(probe: Probe, webhook: dict[str, Any], receiver: Receiver) -> None:
    path = f"/v1/webhooks/{webhook['id']}"
    probe.ok("GET", "/v1/webhooks")
    probe.ok("GET", path)
    probe.ok("PATCH", path, {"description": "Log privacy, renamed"})
    probe.refused("PATCH", path, {"url": f"http://{SHOPPER_EMAIL}"})
    rotated = probe.ok("POST", f"{path}/rotate-secret")
    probe.secret("webhook signing secret", rotated["secret"])
    probe.secret("webhook signing key", rotated["secret"].removeprefix("whsec_"))
    receiver.secret = rotated["secret"]
    probe.ok("POST", f"{path}/test", status=202)
    probe.ok("GET", f"{path}/deliveries")
    probe.ok("POST", f"{path}/recover", {"since": "2020-01-01T00:00:00Z"}, status=202)
    probe.refused("POST", f"{path}/recover", {"since": SHOPPER_EMAIL})
    listed = probe.ok("GET", "/v1/events?type=order.created")["data"]
    assert listed, "the orders' events"
    event = listed[0]["id"]
    probe.refused("GET", f"/v1/events?since={quote(SHOPPER_EMAIL)}")
    probe.refused("GET", f"/v1/events?type={quote(SHOPPER_EMAIL)}")
    probe.ok("GET", f"/v1/events/{event}")
    probe.refused("GET", f"/v1/events/{quote(SHOPPER_EMAIL)}", status=404)
    probe.ok("POST", f"/v1/events/{event}/replay", {"webhook_id": webhook["id"]}, status=202)
    probe.refused("POST", f"/v1/events/{event}/replay", {"webhook_id": SHOPPER_EMAIL}, status=404)


def vault(probe: Probe, stack: DevStack, tmp: Path) -> str:
    demo_org = stack.credentials["org_id"]
    grant = {"partner": demo_org, "usage": ["display"], "territories": ["FR"]}
    collection = probe.ok("POST", "/v1/collections", {"name": "Looks", "description": "FW26"}, 201)["id"]
    probe.refused("POST", "/v1/collections", {"name": "Looks", "curator": SHOPPER_EMAIL})
    probe.ok("GET", "/v1/collections")
    probe.ok("GET", f"/v1/collections/{collection}")
    granted = probe.ok("POST", f"/v1/collections/{collection}/grants", grant, 201)["id"]
    probe.refused("POST", f"/v1/collections/{collection}/grants", {**grant, "partner": SHOPPER_EMAIL})
    probe.ok("GET", f"/v1/collections/{collection}/grants")
    probe.ok("DELETE", f"/v1/collections/{collection}/grants/{granted}", status=204)
    # a file with a shopper's email in its name (stored and exported; never logged)
    declared = declaration(FILE, filename=f"fitting-{SHOPPER_EMAIL}.png", collection_id=collection)
    created = probe.ok("POST", "/v1/assets", declared, 201)
    fields = created["upload"]["fields"]
    for name in ("policy", "x-amz-signature"):
        if name in fields:
            probe.secret(f"upload form {name}", fields[name])
    probe.refused("POST", "/v1/assets", {**declared, "sha256": SHOPPER_EMAIL})
    assert post_form(created, FILE, tmp) in (200, 201, 204)
    asset = created["id"]
    probe.wait(
        "the upload's check", lambda: probe.ok("GET", f"/v1/assets/{asset}")["status"] != "pending_upload"
    )
    probe.ok("GET", "/v1/assets")
    probe.ok("PATCH", f"/v1/assets/{asset}", {"title": "Look 02"})
    probe.refused("PATCH", f"/v1/assets/{asset}", {"title": "Look", "rights": {"owner": SHOPPER_EMAIL}})
    asset_grant = probe.ok("POST", f"/v1/assets/{asset}/grants", grant, 201)["id"]
    probe.ok("GET", f"/v1/assets/{asset}/grants")
    sandbox = {"X-Api-Key": stack.credentials["sandbox_api_key"]}  # the demo org downloads
    link = probe.ok(
        "POST",
        f"/v1/assets/{asset}/download",
        {"usage": "display", "territory": "FR"},
        auth="",
        headers=sandbox,
    )
    probe.secret("download signature", parse_qs(urlsplit(link["url"]).query)["X-Amz-Signature"][0])
    probe.refused(
        "POST",
        f"/v1/assets/{asset}/download",
        {"usage": "display", "territory": SHOPPER_EMAIL},
        auth="",
        headers=sandbox,
    )
    probe.ok("GET", f"/v1/assets/{asset}/downloads")
    probe.ok("GET", f"/v1/assets/{asset}/history")
    probe.ok("POST", f"/v1/assets/{asset}/publish")
    probe.ok("DELETE", f"/v1/assets/{asset}/grants/{asset_grant}", status=204)
    probe.refused("GET", f"/v1/assets/{quote(SHOPPER_EMAIL)}", status=404)
    return str(asset)


def export(probe: Probe) -> None:
    started = probe.ok("POST", "/v1/exports", status=202)
    probe.refused("POST", "/v1/exports", {"email": SHOPPER_EMAIL})
    state: dict[str, Any] = {}

    def done() -> bool:
        state.update(probe.ok("GET", f"/v1/exports/{started['id']}"))
        return state["status"] in ("succeeded", "failed")

    probe.wait("the export", done)
    assert state["status"] == "succeeded", state
    probe.secret(
        "export download signature", parse_qs(urlsplit(state["download_url"]).query)["X-Amz-Signature"][0]
    )
    probe.refused("GET", f"/v1/exports/{quote(SHOPPER_EMAIL)}", status=404)


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x0", path)


def probe_every_route(probe: Probe) -> None:
    """Every route, whatever it is, once more: refused, with emails in the query and the body, and (its ANY
    routes) with a method it does not have."""
    query = f"?email={quote(SHOPPER_EMAIL)}&customer={quote(ERASED_EMAIL)}"
    body = {"email": SHOPPER_EMAIL, "customer": {"email": ERASED_EMAIL}, "handshake": WRONG_HANDSHAKE}
    for method, path in sorted(probe.routes.keys):
        if method == "ANY":
            routed = probe.routes.methods(path)
            method = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in routed)
        with_body = method in ("POST", "PUT", "PATCH")
        probe.call(method, fill(path) + query, body if with_body else None, probe=True)


@dataclass
class Walked:
    probe: Probe
    log: list[str]  # the stack's log lines after its banner
    own: list[str]  # the lines logged while this module's calls ran


@pytest.fixture(scope="module")
def walked(stack: DevStack, tmp_path_factory: pytest.TempPathFactory) -> Walked:
    return walk(stack, tmp_path_factory.mktemp("log-privacy"))


def walk(stack: DevStack, tmp: Path) -> Walked:
    log = stack.state_dir / "devserver.log"
    start = log.stat().st_size
    probe = Probe(stack, Routes(documented_operations() | template_routes()))
    for name in (
        "handshake",
        "sandbox_api_key",
        "api_key",
        "inactive_api_key",
        "client_secret",
        "limited_client_secret",
    ):
        probe.secret(f"demo {name}", stack.credentials[name])
    for name, value in (
        ("wrong client secret", WRONG_CLIENT_SECRET),
        ("wrong handshake", WRONG_HANDSHAKE),
        ("wrong API key", WRONG_API_KEY),
        ("wrong sandbox key", WRONG_SANDBOX_KEY),
        ("forged token signature", signature(WRONG_TOKEN)),
    ):
        probe.secret(name, value)
    client = org_with_client(probe, stack)
    with Receiver() as receiver:
        oauth(probe, stack, client)
        integration(probe, stack)
        webhook = webhooks(probe, receiver)
        shop = commerce(probe)
        erasure(probe)
        tryon(probe, shop, client["domain"])
        affiliates(probe, client["domain"])
        asset = vault(probe, stack, tmp)
        export(probe)
        webhooks_after(probe, webhook, receiver)
        probe.ok("DELETE", f"/v1/storefronts/{shop.storefront}/products/{shop.archived}")
        probe_every_route(probe)

        # the asynchronous work the calls started has logged: deliveries (the customer's order among them)
        def delivered() -> bool:
            return {"order.created", "ping"} <= {r.event["type"] for r in receiver.received if r.status < 300}

        probe.wait("the deliveries", delivered)
        path = f"/v1/webhooks/{webhook['id']}/deliveries"
        probe.wait("the delivery log", lambda: len(probe.ok("GET", path)["data"]) >= len(receiver.received))
        probe.ok("DELETE", f"/v1/assets/{asset}", status=204)
        probe.ok("DELETE", f"/v1/webhooks/{webhook['id']}", status=204)
        time.sleep(1)  # the pollers' last batch
    text = log.read_bytes()
    lines = text.decode(errors="replace").splitlines()
    banner = next((i for i, line in enumerate(lines) if line.strip() == BANNER_END), -1)
    own = text[start:].decode(errors="replace").splitlines()
    return Walked(probe, lines[banner + 1 :], own)


# --- the scan ---------------------------------------------------------------------------------------
def variants(value: str) -> set[str]:
    """``value`` and its obvious encodings (compared ignoring case)."""
    raw = value.encode()
    found = {
        value,
        quote(value, safe=""),
        quote(value),
        json.dumps(value)[1:-1],
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    return {v.lower() for v in found if len(v) >= SHORTEST_MARKER}


def markers(probe: Probe) -> dict[str, set[str]]:
    found = {name: variants(value) for name, value in probe.secrets.items()}
    for name, email in (("shopper email", SHOPPER_EMAIL), ("erased customer email", ERASED_EMAIL)):
        found[name] = variants(email) | {email.split("@")[0].lower()}  # its local part alone, too
    found["client IP (X-Forwarded-For)"] = {CLIENT_IP}
    found["client IP (sourceIp)"] = {SOURCE_IP}
    found["User-Agent"] = variants(USER_AGENT) | {USER_AGENT.split()[0].lower()}
    found["Referer"] = variants(REFERER)
    return found


def offending(lines: list[str], wanted: dict[str, set[str]]) -> list[str]:
    """Each line holding a marker, with the markers' names."""
    hits = []
    for line in lines:
        lowered = line.lower()
        names = sorted(name for name, forms in wanted.items() if any(form in lowered for form in forms))
        if names:
            hits.append(f"{', '.join(names)}:\n    {line[:2000]}")
    return hits


def test_the_scan_finds_a_marker_in_any_of_its_encodings() -> None:
    wanted = {"secret": variants("s3cr3t-Value-0123"), "email": variants(SHOPPER_EMAIL)}
    basic = base64.b64encode(b"s3cr3t-Value-0123").decode()
    lines = [
        '{"detail": "S3CR3T-VALUE-0123"}',
        f"auth {basic}",
        f"to={quote(SHOPPER_EMAIL.upper(), safe='')}",
        '{"message": "fine"}',
    ]
    assert [hit.split(":")[0] for hit in offending(lines, wanted)] == ["secret", "secret", "email"]


def test_every_operation_of_both_apis_was_called_successfully_and_refused(walked: Walked) -> None:
    probe = walked.probe
    succeeded = {s.route for s in probe.sent if s.status < 400 and not s.probe}
    refused = {s.route for s in probe.sent if s.status >= 400}
    concrete = {key for key in probe.routes.keys if key[0] != "ANY"}
    assert documented_operations() <= probe.routes.keys
    never = sorted(concrete - succeeded)
    assert not never, f"operations never called successfully (add them to the walk): {never}"
    unrefused = sorted(probe.routes.keys - refused - REFUSE_NOTHING)
    assert not unrefused, f"routes never refused: {unrefused}"
    assert probe.routes.keys <= {s.route for s in probe.sent if s.probe}, "every route got the probe"
    unrouted = [s for s in probe.sent if s.route is None]
    assert not unrouted, f"calls to no route of the template or the documents: {unrouted}"


def test_the_functions_see_the_connections_address_not_x_forwarded_for(walked: Walked) -> None:
    # so that the source IP marker did reach them: the Integration API's per-address limit counted it
    stack = walked.probe.stack
    table = stack.described["outputs"]["IntegrationTableName"]
    items = stack.client("dynamodb").scan(TableName=table, ProjectionExpression="pk")["Items"]
    windows = {item["pk"]["S"].rpartition("#")[0] for item in items if item["pk"]["S"].startswith("RATE#")}
    assert f"RATE#ip:{SOURCE_IP}" in windows
    assert f"RATE#ip:{CLIENT_IP}" not in windows


def test_no_log_line_holds_personal_data_or_a_secret(walked: Walked) -> None:
    # the capture works: this module's calls logged, refusals with their reasons among them
    assert sum('"Request refused"' in line for line in walked.own) >= 50, walked.own[-20:]
    assert sum('"Credentials refused"' in line for line in walked.own) >= 3
    hits = offending(walked.log, markers(walked.probe))
    assert not hits, f"{len(hits)} log lines with personal data or a secret:\n" + "\n".join(hits[:50])
