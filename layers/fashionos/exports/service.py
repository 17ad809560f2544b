"""The rules of exports: one running per org, written by the export function, downloaded for 5 minutes."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, BinaryIO

from fashionos.exports.errors import ExportNotFound
from fashionos.exports.records import DOWNLOAD_SECONDS, KEPT_SECONDS, Export
from fashionos.ids import id_pattern, prefixed_id
from fashionos.observability import logger
from fashionos.times import rfc3339, rfc3339_now

if TYPE_CHECKING:
    from fashionos.assets.bucket import VaultBucket
    from fashionos.exports.store import ExportStore
    from fashionos.idempotency import Claim

EXPORT_ID = id_pattern("exp")
ZIP = "application/zip"
FAILURE = "The export could not be written; start another (POST /v1/exports)"
Writer = Callable[[str, BinaryIO], dict[str, int]]  # fashionos.privacy.export.write_export


class ExportService:
    def __init__(self, store: ExportStore, bucket: VaultBucket, enqueue: Callable[[str], None]) -> None:
        self._store = store
        self._bucket = bucket
        self._enqueue = enqueue  # sends one message to the export function's queue

    def start(self, org_id: str, requested_by: str, claim: Claim[Export] | None = None) -> Export:
        """A ``pending`` export of the org, queued; ``ExportInProgress`` while another is running."""
        now = time.time()
        export = Export(
            export_id=prefixed_id("exp"),
            org_id=org_id,
            status="pending",
            requested_by=requested_by,
            created_at=rfc3339(now),
            expires_epoch=int(now) + KEPT_SECONDS,
        )
        self._store.create(export, claim.item(export) if claim else None)
        self._enqueue(json.dumps({"org_id": org_id, "export_id": export.export_id}))
        return export

    def get(self, org_id: str, export_id: str) -> tuple[Export, str | None, str | None]:
        """The org's export, and (once written) a download link and when it stops working."""
        export = self._store.get(org_id, export_id) if EXPORT_ID.fullmatch(export_id) else None
        if export is None or export.expires_epoch <= time.time():  # TTL deletes late: gone on the dot
            raise ExportNotFound()
        if export.status != "succeeded" or export.object_version is None:
            return export, None, None
        filename = f"fashionos-export-{export.org_id}-{export.created_at[:10]}.zip"
        url = self._bucket.download_url(export.key, export.object_version, filename, ZIP, DOWNLOAD_SECONDS)
        return export, url, rfc3339(time.time() + DOWNLOAD_SECONDS)

    def run(self, org_id: str, export_id: str, write: Writer) -> Export | None:
        """Write the export's zip (once: a redelivered message of a finished export changes nothing)."""
        export = self._store.get(org_id, export_id)
        if export is None or export.finished:
            return export
        running = replace(export, status="running")
        self._store.save(running)
        try:
            with tempfile.TemporaryFile() as out:  # the function's /tmp (its EphemeralStorage)
                contents = write(org_id, out)
                size = out.tell()
                out.seek(0)
                sha256 = hashlib.file_digest(out, "sha256").hexdigest()
                out.seek(0)
                version = self._bucket.put_file(export.key, out, ZIP, sha256)
        except Exception:
            logger.exception("Export failed", org_id=org_id, export_id=export_id)
            finished = replace(running, status="failed", failure=FAILURE, completed_at=rfc3339_now())
        else:
            finished = replace(
                running,
                status="succeeded",
                completed_at=rfc3339_now(),
                size=size,
                sha256=sha256,
                object_version=version,
                contents=contents,
            )
        self._store.save(finished)
        return finished
