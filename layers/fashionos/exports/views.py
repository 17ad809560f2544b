"""An export as the API answers it (``Export.public()``; the OpenAPI documents take its schema from here)."""

from __future__ import annotations

from typing import Literal, TypedDict

ExportStatusView = Literal["pending", "running", "succeeded", "failed"]


class Export(TypedDict):
    """Everything stored about the org, as one zip: ``pending`` (queued), ``running``, then ``succeeded``
    (``download_url`` works for 5 minutes from this answer: ask again for a new one) or ``failed``
    (``failure`` says why: start another). The export and its zip are deleted at ``expires_at``."""

    id: str
    object: Literal["export"]
    status: ExportStatusView
    created_at: str
    completed_at: str | None
    expires_at: str
    size: int | None  # bytes of the zip
    sha256: str | None  # of the zip, hex: check the download against it
    contents: dict[str, int]  # each file of the zip, and how many records it holds
    failure: str | None
    download_url: str | None
    download_expires_at: str | None


class CustomerErasure(TypedDict):
    """What erasing a shopper's personal data changed: the orders whose customer was removed (their amounts,
    lines and status are kept for accounting). Erasing again changes nothing more (``orders_erased: 0``)."""

    object: Literal["customer_erasure"]
    orders_erased: int
    erased_at: str
