"""S3 access for the Design Vault: the only module of this area that talks to S3.

Uploads are presigned POSTs whose policy binds everything the partner declared: the key (chosen here),
the size (``content-length-range`` of exactly that size), the ``Content-Type``, the file's SHA-256 (S3
computes it and refuses a file that differs), the asset's id as metadata and the pending tag (the bucket's
lifecycle removes objects that keep it: uploads never confirmed); and an expiry of 15 minutes. Downloads are
presigned GETs of the accepted version, ``Content-Disposition: attachment``, valid 5 minutes.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Final
from urllib.parse import quote

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client

PENDING_TAG: Final = ("fashionos-upload", "pending")  # the lifecycle rule "unconfirmed-uploads" matches it
TAGGING: Final = (
    "<Tagging><TagSet><Tag>"
    f"<Key>{PENDING_TAG[0]}</Key><Value>{PENDING_TAG[1]}</Value>"
    "</Tag></TagSet></Tagging>"
)
ASSET_ID_FIELD: Final = "x-amz-meta-asset-id"


@dataclass(frozen=True, slots=True)
class UploadForm:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class ObjectHead:
    size: int
    content_type: str | None
    sha256_b64: str | None  # S3's SHA-256 of the object (base64), as the upload's checksum gave it


def checksum(sha256_hex: str) -> str:
    """The ``x-amz-checksum-sha256`` of a hex SHA-256: the digest, base64."""
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def attachment(filename: str) -> str:
    """``Content-Disposition: attachment`` naming the file (RFC 6266: an ASCII fallback, and UTF-8)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class VaultBucket:
    def __init__(self, client: Callable[[], S3Client], bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def upload_form(
        self, key: str, asset_id: str, size: int, content_type: str, sha256_hex: str, expires_epoch: int
    ) -> UploadForm:
        """The form S3 takes until ``expires_epoch`` at the latest (never a second after the asset's upload
        window: boto3 counts its seconds from its own clock)."""
        fields = {
            "Content-Type": content_type,
            "x-amz-checksum-sha256": checksum(sha256_hex),
            ASSET_ID_FIELD: asset_id,
            "tagging": TAGGING,
        }
        conditions: list[Any] = [
            ["content-length-range", size, size],
            *({name: value} for name, value in fields.items()),
        ]
        post = self._s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=int(expires_epoch - time.time()),
        )
        return UploadForm(post["url"], {name: str(value) for name, value in post["fields"].items()})

    def download_url(
        self, key: str, version_id: str, filename: str, content_type: str, expires_in: int
    ) -> str:
        return self._s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "VersionId": version_id,
                "ResponseContentDisposition": attachment(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_in,
        )

    def put_file(self, key: str, file: BinaryIO, content_type: str, sha256_hex: str) -> str:
        """``file`` (from its start) at ``key``, S3 checking its SHA-256: the new version's id."""
        put = self._s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=file,
            ContentType=content_type,
            ChecksumSHA256=checksum(sha256_hex),
        )
        return put["VersionId"]

    def head(self, key: str, version_id: str) -> ObjectHead | None:
        """The version's size, type and checksum; None when it is gone."""
        from botocore.exceptions import ClientError

        try:
            head = self._s3().head_object(
                Bucket=self.bucket, Key=key, VersionId=version_id, ChecksumMode="ENABLED"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NoSuchVersion"):
                return None
            raise
        return ObjectHead(head["ContentLength"], head.get("ContentType"), head.get("ChecksumSHA256"))

    def first_bytes(self, key: str, version_id: str, count: int) -> bytes:
        body = self._s3().get_object(
            Bucket=self.bucket, Key=key, VersionId=version_id, Range=f"bytes=0-{count - 1}"
        )["Body"]
        with body:
            return body.read()

    def accept(self, key: str, version_id: str) -> None:
        """The accepted version loses its pending tag: the lifecycle keeps it."""
        self._s3().delete_object_tagging(Bucket=self.bucket, Key=key, VersionId=version_id)

    def delete_version(self, key: str, version_id: str) -> None:
        """Gone for good (every version is deleted by id: no delete marker hides a copy)."""
        self._s3().delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)

    def delete_all(self, key: str) -> None:
        """Every version (and delete marker) of ``key``."""
        self._delete_versions(key, lambda listed: listed == key)

    def delete_prefix(self, prefix: str) -> int:
        """Every version and delete marker of every key under ``prefix`` (gone for good); how many."""
        return self._delete_versions(prefix, lambda listed: True)

    def _delete_versions(self, prefix: str, wanted: Callable[[str], bool]) -> int:
        s3 = self._s3()
        deleted = 0
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:  # at most 1,000 a page: what one DeleteObjects takes
            versions = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if wanted(v["Key"])
            ]
            if versions:
                result = s3.delete_objects(Bucket=self.bucket, Delete={"Objects": versions, "Quiet": True})  # type: ignore[typeddict-item]
                if result.get("Errors"):
                    raise RuntimeError(f"S3 kept {len(result['Errors'])} versions: {result['Errors'][0]}")
                deleted += len(versions)
        return deleted

    def open(self, key: str, version_id: str) -> StreamingBody:
        """The version's bytes, as a stream (read it in chunks; close it)."""
        return self._s3().get_object(Bucket=self.bucket, Key=key, VersionId=version_id)["Body"]
