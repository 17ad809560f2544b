"""Erasure (GDPR Art. 17): of a whole org (``erase_org``: ``fashionos-admin erase-org``) and of one shopper of
an org (``erase_customer``: ``POST /v1/customers/erase``). Both may run again (after a crash, or to be sure):
what is gone is not found again, and what is left is.

An org's erasure first deletes its clients and sandbox keys (no token is issued to them again, and the
authorizer refuses those already issued: their client is gone), then every item and object of the org
(``fashionos.privacy`` lists where they are), the org record last. Its own keys find most of it; what other
keys hold (clicks, rate windows, idempotency records, the grants other orgs gave it, its downloads of their
assets, the events they received about its designs, stock histories of skus no listing has any more) only
a Scan of each table finds: an erasure is rare, and the operator's. Two things are kept, anonymised:

- its orders, for accounting: the platform's books must still add up (order volume per period, by
  currency and status) after an org leaves. What is kept is each order's status, currency, lines' quantities
  and unit prices, total and times, under an opaque tombstone id that only the org's anonymised records
  share (not the order's id, its storefront, skus, products, customer or affiliate click);
- the download records of other orgs' assets it made: those are the assets' owners' audit of their
  creators' IP (what was taken, for what use, where, when), so only who took it becomes the tombstone.

Every other org's data stays as it was, but for what named the erased org: the grants it held from them,
the ``design.published`` events they received about its designs (and the sequences of those), and its
downloads in their audit (anonymised).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fashionos.affiliates.store import AffiliateStore
from fashionos.assets.records import org_prefix as asset_prefix
from fashionos.assets.store import AssetStore
from fashionos.aws import delete_keys, scan_items
from fashionos.commerce.store import CommerceStore
from fashionos.events.store import EventStore
from fashionos.exports.records import org_prefix as export_prefix
from fashionos.idempotency import (
    ConditionFailed,
    partner_scope,
    record_scope,
    rewrite_response,
    transact_with_claim,
)
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.principal import sandbox_principal
from fashionos.ids import prefixed_id
from fashionos.privacy.stores import Stores, container_stores
from fashionos.ratelimit import window_bucket
from fashionos.times import rfc3339_now
from fashionos.tryon.store import session_key
from fashionos.webhooks.deliveries import DeliveryLog

if TYPE_CHECKING:
    from fashionos.commerce.records import Order
    from fashionos.idempotency import Claim

Item = dict[str, Any]
ORDER_EVENTS = ("order.created", "order.fulfilled", "order.cancelled")  # their data is the order


def erase_org(org_id: str, stores: Stores | None = None) -> dict[str, int]:
    """Erase the org: every item and object of it is deleted, its orders and its downloads of other orgs'
    assets anonymised. What it did: items deleted per table (``credentials``: its clients and sandbox keys),
    objects deleted (versions and delete markers), records anonymised, and ``org`` (1 when the org record
    went, 0 when there was none: an erasure run again does nothing more)."""
    s = stores or container_stores()
    tables, now = s.names, rfc3339_now()
    clients, keys = s.partner.credential_ids(org_id)
    counts = {"credentials": s.partner.delete_credentials(clients, keys)}  # first: nothing new comes in
    tombstone = s.partner.erasure_tombstone(org_id, prefixed_id("erased"))
    # The ids that name the org's items outside its partitions (which go last in each table).
    storefronts = {sf.storefront_id for sf in s.commerce.org_storefronts(org_id)}
    links = {link.link_id for link in s.affiliates.org_links(org_id)}
    assets = {asset.asset_id for asset in s.assets.org_assets(org_id)}
    webhooks = {webhook.webhook_id for webhook in s.webhooks.subscribers(org_id)}
    events = {event.event_id for event in s.events.org_events(org_id, 0)}
    principals = {*clients, *(sandbox_principal(key) for key in keys)}

    counts["orders_anonymised"] = sum(
        _anonymise(s, order, tombstone, now) for order in s.commerce.org_orders(org_id)
    )
    counts["commerce"] = _erase(
        s, tables.commerce_table_name, org_id, lambda item: CommerceStore.belongs(item, org_id, storefronts)
    )
    sessions = [session_key(org_id, session.session_id) for session in s.tryon.org_sessions(org_id)]
    counts["tryon"] = delete_keys(s.dynamodb, tables.tryon_table_name, sessions)
    counts["affiliates"] = _erase(
        s, tables.affiliate_table_name, org_id, lambda item: AffiliateStore.belongs(item, org_id, links)
    )
    counts["objects"] = s.bucket.delete_prefix(asset_prefix(org_id)) + s.bucket.delete_prefix(
        export_prefix(org_id)
    )
    downloads: list[Item] = []  # its downloads of other orgs' assets: their audit, kept without who

    def of_assets(item: Item) -> bool:
        if AssetStore.belongs(item, org_id, assets):
            return True
        if AssetStore.download_by(item, org_id):
            downloads.append(item)
        return False

    counts["assets"] = _erase(s, tables.asset_table_name, org_id, of_assets)
    for download in downloads:
        s.assets.anonymise_download(download, tombstone)
    counts["downloads_anonymised"] = len(downloads)
    scope = partner_scope(org_id)
    counts["partner"] = _erase(
        s,
        tables.partner_table_name,
        org_id,
        lambda item: (
            PartnerStore.belongs(item, org_id, clients)
            or DeliveryLog.belongs(item, webhooks, events)
            or window_bucket(item) in principals
            or record_scope(item) == scope
        ),
    )
    counts["events"] = _erase(
        s, tables.event_table_name, org_id, lambda item: EventStore.belongs(item, org_id, assets)
    )
    counts["org"] = int(s.partner.delete_org(org_id))  # last: its tombstone served a rerun until now
    return counts


def _anonymise(s: Stores, order: Order, tombstone: str, now: str) -> bool:
    """The order replaced by what accounting keeps of it; False when it was gone already."""
    try:
        s.commerce.transact(s.commerce.anonymised(order, tombstone, now))
    except ConditionFailed:
        return False
    return True


def erase_customer(
    org_id: str, email: str, stores: Stores | None = None, claim: Claim[int] | None = None
) -> int:
    """Remove a shopper's personal data from the org: every order of the org whose customer has ``email``
    (compared without regard to case or surrounding space) keeps its lines, amounts and status but no
    customer (``customer: null``, ``customer_erased_at``); so do the stored responses that replay it (an
    ``Idempotency-Key``'s, 24 hours) and the org's ``order.*`` events that carry it (what a replay sends).
    How many orders changed: 0 when run again. Other orgs' orders are theirs to erase. ``claim``: the
    request's Idempotency-Key, whose response is stored once the erasure is done (a retry replays it; a
    retry before then erases again, which finds nothing more)."""
    s = stores or container_stores()
    wanted = _normalised(email)
    if wanted is None:
        return 0
    now = rfc3339_now()
    changed = 0
    for order in s.commerce.org_orders(org_id):  # one Query of the org's partition, page by page
        if _normalised(order.customer.get("email")) != wanted:
            continue
        for record in order.replays:  # before the order: a rerun finds the order by its email
            rewrite_response(
                s.dynamodb, s.names.partner_table_name, record, _without_customer(order.order_id, now)
            )
        changed += s.commerce.erase_customer(order, now)
    for event in s.events.org_events(org_id, 0, ORDER_EVENTS):
        envelope = json.loads(event.payload)
        customer = envelope["data"].get("customer") or {}
        if _normalised(customer.get("email")) == wanted:
            erased = {**envelope, "data": {**envelope["data"], "customer": None, "customer_erased_at": now}}
            s.events.replace_payload(event, json.dumps(erased, separators=(",", ":")))
    if claim is not None:
        transact_with_claim(s.dynamodb, [], claim.item(changed))
    return changed


def _erase(s: Stores, table: str, org_id: str, belongs: Callable[[Item], bool]) -> int:
    """Delete every item of ``table`` that ``belongs`` to the org (one Scan): those of its own partition
    (``ORG#{org}`` in every table) last, since they name the others, through which a rerun after a crash
    finds them; how many."""
    own: list[Item] = []
    others: list[Item] = []
    for item in scan_items(s.dynamodb, {"TableName": table, "ConsistentRead": True}):
        if belongs(item):
            key = {"pk": item["pk"], "sk": item["sk"]}
            (own if item["pk"]["S"] == f"ORG#{org_id}" else others).append(key)
    return delete_keys(s.dynamodb, table, others) + delete_keys(s.dynamodb, table, own)


def _without_customer(order_id: str, erased_at: str) -> Callable[[Any], Any | None]:
    """What a stored response of the order becomes: the order without its customer (None: not the order)."""

    def change(body: Any) -> Any | None:
        if not isinstance(body, dict) or body.get("id") != order_id or body.get("customer") is None:
            return None
        return {**body, "customer": None, "customer_erased_at": erased_at}

    return change


def _normalised(email: str | None) -> str | None:
    return email.strip().casefold() if email else None
