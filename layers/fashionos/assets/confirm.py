"""Confirming uploads: each new object of the bucket (S3's ``ObjectCreated`` notification, through SQS) is
checked against what its asset declared, and the asset becomes ``available`` or ``rejected``.

S3 has already enforced the presigned POST's policy (size, type, checksum); the checks here hold whatever
reached the bucket to the declaration again, and add what no policy can: that the file starts like its
type (``signatures``). Anything not expected is deleted: an object under no pending asset, a second upload
with a still-valid form, a rejected file. A redelivered notification of an accepted file changes nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

from fashionos.assets.bucket import VaultBucket, checksum
from fashionos.assets.records import Asset
from fashionos.assets.signatures import HEAD_BYTES, matches
from fashionos.assets.store import AssetStore
from fashionos.ids import ID_BODY
from fashionos.times import parse_rfc3339, rfc3339

_KEY = re.compile(f"orgs/(org_{ID_BODY})/assets/(ast_{ID_BODY})/file")
Outcome = Literal["available", "rejected", "duplicate", "unexpected", "gone", "ignored"]


class MalformedNotification(ValueError):
    """Not an S3 event notification: it goes on to the dead-letter queue."""


@dataclass(frozen=True, slots=True)
class NewObject:
    bucket: str
    key: str
    version_id: str
    size: int
    created_epoch: float


def new_objects(body: str) -> Iterator[NewObject]:
    """The created objects an SQS message of S3 notifications names (none for S3's test event, or another
    kind of event); ``MalformedNotification`` for anything else."""
    try:
        message = json.loads(body)
        if message.get("Event") == "s3:TestEvent":  # sent once, when the notification is configured
            return
        records = message["Records"]
        for record in records:
            if not str(record["eventName"]).startswith("ObjectCreated:"):
                continue
            s3 = record["s3"]
            yield NewObject(
                bucket=str(s3["bucket"]["name"]),
                key=unquote_plus(str(s3["object"]["key"])),
                version_id=str(s3["object"]["versionId"]),
                size=int(s3["object"]["size"]),
                created_epoch=parse_rfc3339(str(record["eventTime"])),
            )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise MalformedNotification(f"Not an S3 event notification: {error!r}") from None


class UploadConfirmer:
    def __init__(
        self, store: AssetStore, bucket: VaultBucket, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._bucket = bucket
        self._clock = clock

    def confirm(self, new: NewObject) -> Outcome:
        if new.bucket != self._bucket.bucket:
            return "ignored"  # not the vault's
        match = _KEY.fullmatch(new.key)
        asset = self._store.asset(match[1], match[2]) if match else None
        if asset is None:
            self._bucket.delete_version(new.key, new.version_id)
            return "unexpected"
        if asset.status != "pending_upload":
            if new.version_id == asset.object_version:
                self._bucket.accept(new.key, new.version_id)  # in case the first delivery stopped short
                return "duplicate"
            self._bucket.delete_version(new.key, new.version_id)  # another file, after the first one
            return "unexpected"
        reason = self._refusal(asset, new)
        if reason == "gone":
            return "gone"  # deleted meanwhile: nothing left to confirm
        now = rfc3339(self._clock())
        if reason is None:
            if self._store.settle_upload(asset, "available", now, new.version_id, None):
                self._bucket.accept(new.key, new.version_id)
                return "available"
            return self.confirm(new)  # settled meanwhile: as a redelivery
        if not self._store.settle_upload(asset, "rejected", now, None, reason):
            return self.confirm(new)
        self._bucket.delete_version(new.key, new.version_id)
        return "rejected"

    def _refusal(self, asset: Asset, new: NewObject) -> str | None:
        """Why the file is not the one declared (None: it is); ``gone`` when there is no such version."""
        if new.created_epoch >= asset.upload_expires_epoch + 1:
            return "upload_expired"
        head = self._bucket.head(new.key, new.version_id)
        if head is None:
            return "gone"
        if head.size != asset.size:
            return "size_mismatch"
        if head.content_type != asset.content_type:
            return "content_type_mismatch"
        if head.sha256_b64 != checksum(asset.sha256):
            return "checksum_mismatch"
        if not matches(asset.content_type, self._bucket.first_bytes(new.key, new.version_id, HEAD_BYTES)):
            return "signature_mismatch"
        return None
