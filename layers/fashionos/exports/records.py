"""An export, as the service knows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fashionos.exports import views
from fashionos.times import rfc3339

ExportStatus = Literal["pending", "running", "succeeded", "failed"]
KEPT_SECONDS = 7 * 24 * 3600  # an export (its record and its zip) lives a week
RUNNING_SECONDS = 15 * 60  # an export not finished by then no longer holds the org's one running export
DOWNLOAD_SECONDS = 300  # a download link's life


def org_prefix(org_id: str) -> str:
    """Where the org's export zips live in the private bucket."""
    return f"exports/{org_id}/"


def object_key(org_id: str, export_id: str) -> str:
    """Where an export's zip lives in the private bucket (the bucket's lifecycle expires ``exports/``)."""
    return f"{org_prefix(org_id)}{export_id}.zip"


@dataclass(frozen=True, slots=True)
class Export:
    export_id: str
    org_id: str
    status: ExportStatus
    requested_by: str  # the client (or sandbox key) that asked
    created_at: str
    expires_epoch: int  # the record's TTL; the zip's lifecycle rule matches it
    completed_at: str | None = None
    size: int | None = None  # bytes of the zip
    sha256: str | None = None  # of the zip, hex
    object_version: str | None = None  # the zip's S3 version
    contents: dict[str, int] = field(default_factory=dict)  # how many records each file of the zip holds
    failure: str | None = None

    @property
    def key(self) -> str:
        return object_key(self.org_id, self.export_id)

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")

    def public(self, download_url: str | None = None, download_expires_at: str | None = None) -> views.Export:
        return {
            "id": self.export_id,
            "object": "export",
            "status": self.status,
            "created_at": self.created_at,
            "completed_at": self.completed_at,
            "expires_at": rfc3339(self.expires_epoch),
            "size": self.size,
            "sha256": self.sha256,
            "contents": dict(self.contents),
            "failure": self.failure,
            "download_url": download_url,
            "download_expires_at": download_expires_at,
        }
