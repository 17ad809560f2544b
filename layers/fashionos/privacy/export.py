"""An org's export (GDPR Art. 15 and 20): everything stored about it, one zip written to ``out`` (the export
function's /tmp, or a local file from ``fashionos-admin export-org``).

The zip holds a JSON file per area, each an array of the objects as the API shows them (so the export reads
like the API), the files of its Design Vault assets (``assets/{asset_id}/{filename}``, the accepted version,
streamed from the bucket), and ``manifest.json``. Never a secret: clients and sandbox keys without their
secrets or hashes, webhooks without their signing secrets; affiliate clicks as the API shows them (no IP,
not even its hash).
"""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, BinaryIO

from fashionos.affiliates.records import Click, Conversion, public_domain
from fashionos.assets.records import OBJECT_NAME
from fashionos.errors import OrgNotFound
from fashionos.privacy import views
from fashionos.privacy.stores import Stores, container_stores
from fashionos.times import rfc3339

if TYPE_CHECKING:
    from fashionos.assets.records import Asset, Download, RightsChange
    from fashionos.identity.partner_models import Client, Org, SandboxKey

FORMAT_VERSION = 1
ASSET_FILES = "assets/"  # the files' count in the manifest and in what write_export returns
CHUNK = 1024 * 1024  # bytes read from S3 at a time: an asset is streamed, never held whole
ZIP64_FROM = (1 << 31) - 1  # zipfile's ZIP64_LIMIT: a bigger entry needs Zip64 declared before it is written
LINKS_PER_STATS = 25  # links whose counters are read side by side


def write_export(org_id: str, out: BinaryIO, stores: Stores | None = None) -> dict[str, int]:
    """Write the org's export to ``out``; how many records each file holds (``assets/``: how many asset
    files). ``OrgNotFound`` for an org that does not exist."""
    s = stores or container_stores()
    org = s.partner.get_org(org_id)
    if org is None:
        raise OrgNotFound(f"Org {org_id} not found")
    now = time.time()
    counts: dict[str, int] = {"profile.json": 1}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _json(_profile(org), indent=2))
        for name, records in _areas(s, org_id, now):
            counts[name] = _write_array(archive, name, records)
        counts[ASSET_FILES] = _write_asset_files(archive, s, org_id)
        manifest: views.Manifest = {
            "format_version": FORMAT_VERSION,
            "org_id": org_id,
            "generated_at": rfc3339(now),
            "files": counts,
        }
        archive.writestr("manifest.json", _json(manifest, indent=2))
    return counts


def _areas(s: Stores, org_id: str, now: float) -> Iterator[tuple[str, Iterable[Any]]]:
    """Each JSON array file and its records, read lazily (one store page at a time) as it is written."""
    yield "domains.json", (public_domain(d.domain, d.created_at) for d in s.partner.domains(org_id))
    yield "clients.json", (_client(client) for client in s.partner.list_clients(org_id))
    yield "sandbox_keys.json", (_sandbox_key(key) for key in s.partner.sandbox_keys(org_id))

    found = list(s.commerce.org_storefronts(org_id))
    storefronts = [sf.storefront_id for sf in found]
    yield "storefronts.json", (sf.public() for sf in found)
    yield "products.json", (p.public() for sf in storefronts for p in s.commerce.storefront_products(sf))
    skus = [(sf, item) for sf in storefronts for item in s.commerce.storefront_skus(sf)]
    yield "inventory.json", (item.public() for _, item in skus if item.sellable)
    yield (
        "inventory_adjustments.json",  # of every sku a storefront has (as the API shows them)
        (a.public() for sf, item in skus for a in s.commerce.sku_adjustments(sf, item.sku)),
    )
    yield "orders.json", (order.public() for order in s.commerce.org_orders(org_id))

    yield "tryon_sessions.json", (session.public() for session in s.tryon.org_sessions(org_id))

    yield "affiliate_links.json", _links(s, org_id)
    conversions: list[Conversion] = []  # met during the clicks' Scan, written next
    yield "affiliate_clicks.json", _clicks(s, org_id, conversions)
    yield "affiliate_conversions.json", (conversion.public() for conversion in conversions)

    records = list(s.assets.org_assets(org_id))
    assets = [asset.asset_id for asset in records]
    yield "assets.json", (asset.public() for asset in records)
    yield "collections.json", (collection.public() for collection in s.assets.org_collections(org_id))
    yield "asset_grants.json", (grant.public() for grant in s.assets.grants_given(org_id))
    yield "asset_rights_history.json", (_change(a, c) for a in assets for c in s.assets.changes(a))
    yield "asset_downloads.json", (_download(a, d) for a in assets for d in s.assets.downloads(a))

    webhooks = list(s.webhooks.subscribers(org_id))
    yield "webhooks.json", (webhook.public() for webhook in webhooks)
    attempts = (a.public() for w in webhooks for a in s.deliveries.every_attempt(w.webhook_id, now))
    yield "webhook_deliveries.json", attempts
    yield "events.json", (event.public() for event in s.events.org_events(org_id, now))


def _profile(org: Org) -> views.Profile:
    return {
        "id": org.org_id,
        "object": "org",
        "handle": org.handle,
        "display_name": org.display_name,
        "twin_active": org.twin_active,
        "user_id": org.user_id,
        "tryon_types": sorted(org.tryon_types),
        "created_at": org.created_at,
    }


def _client(client: Client) -> views.Client:
    return {
        "id": client.client_id,
        "scopes": sorted(client.scopes),
        "grant_types": sorted(client.grant_types),
        "status": client.status,
        "rate_tier": client.rate_tier,
        "created_at": client.created_at,
    }


def _sandbox_key(key: SandboxKey) -> views.SandboxKey:
    scopes = sorted(key.scopes)
    return {"id": key.key_id, "scopes": scopes, "active": key.active, "created_at": key.created_at}


def _change(asset_id: str, change: RightsChange) -> views.AssetRightsChange:
    return {**change.public(), "asset_id": asset_id}


def _download(asset_id: str, download: Download) -> views.AssetDownload:
    return {**download.public(), "asset_id": asset_id}


def _links(s: Stores, org_id: str) -> Iterator[Any]:
    """The org's links with their stats (as ``GET /v1/affiliates/links`` shows them)."""
    found = s.affiliates.org_links(org_id)
    while links := list(islice(found, LINKS_PER_STATS)):
        stats = s.affiliates.stats(links, None, None)
        yield from (link.public(s.names.public_base_url, stats[link.link_id]) for link in links)


def _clicks(s: Stores, org_id: str, conversions: list[Conversion]) -> Iterator[Any]:
    """The org's clicks; its conversions, met in the same Scan, are kept in ``conversions``."""
    for found in s.affiliates.clicks_and_conversions(org_id):
        if isinstance(found, Click):
            yield found.public()
        else:
            conversions.append(found)


def _write_array(archive: zipfile.ZipFile, name: str, records: Iterable[Any]) -> int:
    """``records`` as one JSON array (one record a line), written as they come; how many."""
    count = 0
    with io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8") as text:
        text.write("[")
        for record in records:
            text.write(",\n" if count else "\n")
            text.write(_json(record))
            count += 1
        text.write("\n]\n" if count else "]\n")
    return count


def _write_asset_files(archive: zipfile.ZipFile, s: Stores, org_id: str) -> int:
    """The accepted file of each asset that has one, streamed from the bucket; how many."""
    count = 0
    for asset in s.assets.org_assets(org_id):
        if not asset.has_file or asset.object_version is None:
            continue
        entry = zipfile.ZipInfo(_entry_name(asset), time.gmtime()[:6])
        entry.compress_type = zipfile.ZIP_STORED  # designs are images, models, videos: compressed already
        with (
            s.bucket.open(asset.key, asset.object_version) as body,
            archive.open(entry, "w", force_zip64=asset.size >= ZIP64_FROM) as written,
        ):
            shutil.copyfileobj(body, written, CHUNK)
        count += 1
    return count


def _entry_name(asset: Asset) -> str:
    """``assets/{asset_id}/{filename}``: the filename has no ``/`` or ``\\`` (the API refuses them), and
    ``.``/``..`` would name a directory."""
    filename = OBJECT_NAME if asset.filename in (".", "..") else asset.filename
    return f"{ASSET_FILES}{asset.asset_id}/{filename}"


def _json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent)
