"""Try-on sessions as we keep them, and their public form."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final, Literal

from fashionos.tryon import views
from fashionos.tryon.views import Outcome as Outcome
from fashionos.tryon.views import TryOnType as TryOnType

SESSION_SECONDS: Final = 15 * 60
# What is stored; ``expired`` is an ``active`` session past its ``expires_at``.
StoredStatus = Literal["active", "completed", "abandoned", "revoked"]
LOCALE_PATTERN: Final = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}"  # BCP 47, as browsers send it


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    org_id: str
    type: TryOnType
    product_id: str
    storefront_id: str
    variant_sku: str | None
    status: StoredStatus
    return_url: str | None
    locale: str | None
    actor: str  # the client (or sandbox key) that started it
    created_at: str
    expires_at: str
    expires_epoch: int
    ended_at: str | None = None
    duration_ms: int | None = None

    def live(self, now: float | None = None) -> bool:
        """Active and within its 15 minutes: its token is honoured, it can be completed or revoked."""
        return self.status == "active" and (time.time() if now is None else now) < self.expires_epoch

    def public_status(self, now: float | None = None) -> views.SessionStatus:
        return "expired" if self.status == "active" and not self.live(now) else self.status

    def public(self) -> views.Session:
        return {
            "id": self.session_id,
            "type": self.type,
            "product_id": self.product_id,
            "storefront_id": self.storefront_id,
            "variant_sku": self.variant_sku,
            "status": self.public_status(),
            "return_url": self.return_url,
            "locale": self.locale,
            "duration_ms": self.duration_ms,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "ended_at": self.ended_at,
        }
