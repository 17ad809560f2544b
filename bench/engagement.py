"""Engagement warm paths: a try-on session's start and an affiliate link's redirect, each through its handler
vs its own DynamoDB calls replayed raw (``bench.warmpath.measure_changes``), as ``bench.commerce`` does.

Both write what must be new each time, so the baseline is each request's own recorded calls, pointed at a
twin: a second org set up alike (same plan, approvals, storefront and listing, domain and link), with our ids
swapped for the twin's and what the request created given new ids. Every condition the handler's calls met
then holds for the replay, every write writes, and afterwards the twin's counters must equal ours (lockstep).
What a request or a replay created is deleted after it, untimed (``commerce.tidy``'s reason: moto copies a
whole table for each item of a transaction).

Try-on: ``POST /v1/tryon/sessions`` ``{product_id, type: "AR"}`` as an OAuth client of the org on the
``burst-5k`` tier. The org's Dashboard user is on a plan with no AR limit (``UsageService.set_plan`` with no
limits), so metering is a plain ``ADD`` of the counter (under a limit it would be a compare-and-set on the
value read, which the handler retries when it moved). Its calls: the client's rate count (UpdateItem), the
org (GetItem), the org's storefronts (Query) and the listing (BatchGetItem), the user and their plan
(GetItem, GetItem), and one TransactWriteItems (the session Put, the counter Update, the event Put and its
sequence item). The RS256 session token is signed in the handler (the key loaded once per container), so it
is part of "our code". New per replay: the session id (``tos_``) and the event id (``evt_``), which also
keys the event's sequence item (``first=True``: no read of it).

Redirect: ``GET /r/{code}``, public, with a browser's user agent (a bot's GET counts no unique click and
writes no visitor marker). Its calls: the address's rate count (UpdateItem ADD), the code (GetItem), the
visitor's first-click-of-the-day marker (a PutItem on ``attribute_not_exists``), and one TransactWriteItems
(the click Put, an ADD to one of the link's counter shards, the event Put; ``sole=True``: no sequence item).
The day's salt is made and cached by one HEAD before the measured requests (a HEAD hashes the address and
counts nothing): made by a recorded request, the salt's conditional put could not be replayed (its key has
no id to swap); should a UTC day begin mid-run, the request that makes the new salt is replayed without its
salt calls (and shows as a second shape).

The visitor marker: each request comes from a source address of its own (10.0.0.1, 10.0.0.2, ...), so its
marker is new and the handler's put writes (a unique click, as a new visitor's is), and its replay writes the
marker of the same address on the twin link (the key holds the link id, swapped), which is new too: every
call of the replay succeeds, as the handler's did. The alternatives are less honest: one address for all
would make every handler's marker after the first fail its condition (another path: no unique click, a
refused write) and, past ``RedirectRateLimitPerMinute``, answer 429; accepting ConditionalCheckFailed on
the replay would time a refused put against the handler's successful one (and ``replay`` stops at the first
error anyway). The rate count is replayed on the handler's own key (it has no id to swap), as the commerce
replays count on the client's; it is deleted after each request and made again by the replay's ADD, so both
sides ADD to a new item. A 302 without ``fos_click=clk_`` in its ``Location`` stops the run: the redirect
hides a failed click write from the shopper (it still redirects), and such a request would look fast.
New per replay: the click id (``clk_``) and the event id (``evt_``). Deleted after each request and each
replay: the click, the event, the visitor marker and the address's rate item.

The transactions' ``ClientRequestToken`` (botocore fills it in, into the recorded parameters) is left out of
the replays (``commerce.twin_of``): botocore makes a new one, as it did for the handler; DynamoDB would
refuse a token used again with other parameters (moto ignores tokens).
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.awscalls import Call
from bench.commerce import Api, authorized, created, delete, listing, twin_of
from bench.devstack import DevStack
from bench.warmpath import SOURCE_IP, WARMUP, TimedGateway, WarmChange, measure_changes
from fashionos import aws
from fashionos.admin.provisioning import provision_org
from fashionos.affiliates.store import AffiliateStore
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import PartnerService
from fashionos.settings import affiliate_settings
from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore

PLAN = "bench-unlimited"  # no limit on any counter: metering a try-on is a plain ADD
HANDLES = ("@bench_engage", "@bench_engage_twin")  # ours, the twin
TRYON_TYPE = "AR"
SKU = "BENCH-TRYON"
DOMAIN = "bench.example"
DESTINATION = f"https://{DOMAIN}/products/bench"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
FIRST_ADDRESS = ipaddress.IPv4Address("10.0.0.1")  # the redirect's: one address per request from here on
_ULID = "[0-9A-HJKMNP-TV-Z]{26}"
TRYON_IDS = re.compile(rf"\b(org|usr|sf|prd|tos|evt)_{_ULID}\b")
TRYON_NEW = frozenset({"tos", "evt"})
# A short code only occurs in its redirect record's key.
REDIRECT_IDS = re.compile(rf"\b(org|lnk|prd|clk|evt)_{_ULID}\b|(?<=CODE#)[A-Za-z0-9]{{10}}\b")
REDIRECT_NEW = frozenset({"clk", "evt"})


@dataclass(frozen=True, slots=True)
class Engagement:
    tryon: WarmChange
    redirect: WarmChange
    mismatches: list[str]  # how the twin differs from ours afterwards (none: lockstep)


@dataclass(frozen=True, slots=True)
class _Org:
    org_id: str
    user_id: str
    api: Api  # as an OAuth client of the org


def measure(gateway: TimedGateway, stack: DevStack, samples: int, warmup: int = WARMUP) -> Engagement:
    """Set the two orgs up, then measure the try-on start and the redirect (``measure_changes``)."""
    setup = Setup.make(gateway, stack)
    started = measure_tryon(gateway, setup, samples, warmup)
    mismatches = setup.usage_mismatches(warmup + 1 + samples)
    followed = measure_redirect(gateway, setup, samples, warmup)
    mismatches += setup.click_mismatches()
    return Engagement(started, followed, mismatches)


@dataclass(frozen=True, slots=True)
class Setup:
    """Two orgs alike (ours, the twin), each with its storefront, listing and affiliate link; ``twins``
    maps each id (and short code) of ours to the twin's."""

    ours: _Org
    twin: _Org
    product_id: str  # ours
    links: tuple[dict[str, Any], dict[str, Any]]  # ours, the twin's (as POST /v1/affiliates/links answers)
    twins: dict[str, str]
    usage: UsageService

    @classmethod
    def make(cls, gateway: TimedGateway, stack: DevStack) -> Setup:
        db = aws.dynamodb()
        partners = PartnerService(PartnerStore(db, stack.outputs["PartnerTableName"]))
        usage = UsageService(UsageStore(db, stack.outputs["IntegrationTableName"]))
        usage.set_plan(PLAN, PlanLimits())
        orgs = []
        for handle in HANDLES:
            org = provision_org(partners, usage, handle, plan=PLAN)
            partners.set_tryon_types(org.org_id, {TRYON_TYPE})
            partners.add_domain(org.org_id, DOMAIN)
            orgs.append(_Org(org.org_id, org.user_id, authorized(gateway, partners, org.org_id)))
        ours, twin = orgs
        twins = {ours.org_id: twin.org_id, ours.user_id: twin.user_id}
        # Each step on ours, then the same on the twin.
        storefronts = [
            org.api.call(
                "POST",
                "/v1/storefronts",
                {"handle": f"{handle}_shop", "name": "Bench", "currency": "EUR", "visibility": "public"},
                201,
            )["id"]
            for org, handle in zip(orgs, HANDLES, strict=True)
        ]
        twins[storefronts[0]] = storefronts[1]
        products = [
            org.api.call("POST", f"/v1/storefronts/{sf}/products", listing(SKU, "Bench tee"), 201)["id"]
            for org, sf in zip(orgs, storefronts, strict=True)
        ]
        twins[products[0]] = products[1]
        mine, its = (
            org.api.call(
                "POST",
                "/v1/affiliates/links",
                {"destination_url": DESTINATION, "product_id": product, "campaign": "bench"},
                201,
            )
            for org, product in zip(orgs, products, strict=True)
        )
        twins[mine["id"]], twins[mine["code"]] = its["id"], its["code"]
        return cls(ours, twin, products[0], (mine, its), twins, usage)

    def usage_mismatches(self, requests: int) -> list[str]:
        """The twin user's counters against ours, and our AR counter against the sessions started."""
        mine, its = (self.usage.usage_report(org.user_id).lifetime_totals for org in (self.ours, self.twin))
        found = [f"try-on usage {mine} vs the twin's {its}"] if mine != its else []
        if mine.get("ar_tryons") != requests:
            found.append(f"{requests} try-on sessions started, but the AR counter is {mine.get('ar_tryons')}")
        return found

    def click_mismatches(self) -> list[str]:
        """The twin link's clicks (all, unique) against ours."""
        store = AffiliateStore(aws.dynamodb(), affiliate_settings().affiliate_table_name)
        counts = []
        for org, answered in zip((self.ours, self.twin), self.links, strict=True):
            link = store.link(org.org_id, answered["id"])
            if link is None:
                return [f"the bench link {answered['id']} is gone"]
            stats = store.stats([link], None, None)[link.link_id]
            counts.append((stats.clicks, stats.unique_clicks))
        mine, its = counts
        return [f"clicks (all, unique) {mine} vs the twin's {its}"] if mine != its else []


def measure_tryon(gateway: TimedGateway, setup: Setup, samples: int, warmup: int = WARMUP) -> WarmChange:
    headers = dict(setup.ours.api.headers)
    body = json.dumps({"product_id": setup.product_id, "type": TRYON_TYPE}).encode()
    path = "/v1/tryon/sessions"

    def start() -> None:
        status = gateway.post(path, body, headers)
        if status != 201:
            raise RuntimeError(f"a warm-path request to {path} got {status}, not 201")

    twin = twin_of(setup.twins, TRYON_IDS, TRYON_NEW)
    return measure_changes(gateway, start, twin, samples, warmup, tryon_tidy)


def tryon_tidy(calls: list[Call]) -> None:
    """After a try-on start or its replay: its session, its event and the event's sequence item."""
    delete(created(calls, TRYON_IDS, TRYON_NEW))


def measure_redirect(gateway: TimedGateway, setup: Setup, samples: int, warmup: int = WARMUP) -> WarmChange:
    path = f"/r/{setup.links[0]['code']}"
    headers = {"User-Agent": BROWSER, "Accept": "text/html"}
    addresses = (str(FIRST_ADDRESS + n) for n in itertools.count())

    def follow() -> None:
        status, answer, _ = gateway.invoke("GET", path, headers, b"", next(addresses))
        location = next((v for k, v in answer.items() if k.lower() == "location"), "")
        clicks = parse_qs(urlsplit(location).query).get("fos_click", [])
        if status != 302 or not (clicks and clicks[0].startswith("clk_")):
            raise RuntimeError(
                f"a warm-path request to {path} got {status} to {location!r}, not 302 with a click id"
            )

    # The day's salt, made and cached now (a HEAD computes the address's hash, counts nothing): made by a
    # recorded request, its conditional put could not be replayed (the salt's key has no id to swap).
    status, _, _ = gateway.invoke("HEAD", path, headers, b"", SOURCE_IP)
    if status != 302:
        raise RuntimeError(f"HEAD {path}: {status}, not 302")
    twin = twin_of(setup.twins, REDIRECT_IDS, REDIRECT_NEW)

    def twin_without_salt(calls: list[Call]) -> list[Call]:
        # A new UTC day mid-run: that request reads and makes the new day's salt, which is then there for
        # its replay to read, not to make again (its put would fail); one short replay, counted as a shape.
        return [c for c in twin(calls) if not _is_salt(c)]

    return measure_changes(gateway, follow, twin_without_salt, samples, warmup, redirect_tidy)


def _is_salt(call: Call) -> bool:
    key = call.params.get("Item") or call.params.get("Key") or {}
    return call.operation in ("GetItem", "PutItem") and str(key.get("pk", {}).get("S", "")).startswith(
        "SALT#"
    )


def redirect_tidy(calls: list[Call]) -> None:
    """After a redirect or its replay: its click and event, and its address's marker and rate item."""
    doomed = created(calls, REDIRECT_IDS, REDIRECT_NEW)
    for call in calls:
        params = call.params
        if call.operation == "PutItem" and params["Item"]["pk"]["S"].startswith("VISITOR#"):
            doomed.append((params["TableName"], {"pk": params["Item"]["pk"], "sk": params["Item"]["sk"]}))
        elif call.operation == "UpdateItem" and params["Key"]["pk"]["S"].startswith("RATE#redirect:"):
            doomed.append((params["TableName"], params["Key"]))
    delete(doomed)
