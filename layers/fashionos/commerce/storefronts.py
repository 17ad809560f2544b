"""Storefronts: an org's shops, each with a platform-wide unique handle and a fixed currency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from fashionos import retry
from fashionos.commerce.errors import HandleTaken, StorefrontNotActive, StorefrontNotFound
from fashionos.commerce.records import Storefront
from fashionos.commerce.store import CommerceStore
from fashionos.errors import Contended
from fashionos.idempotency import Claim, ConditionFailed
from fashionos.ids import checked_cursor, id_pattern, prefixed_id
from fashionos.times import rfc3339_now

if TYPE_CHECKING:
    from fashionos.commerce.requests import StorefrontCreate, StorefrontUpdate

STOREFRONT_ID = id_pattern("sf")
MAX_WRITE_ATTEMPTS = 5


class StorefrontService:
    def __init__(self, store: CommerceStore) -> None:
        self._store = store

    def create(
        self, org_id: str, request: StorefrontCreate, claim: Claim[Storefront] | None = None
    ) -> Storefront:
        now = rfc3339_now()
        storefront = Storefront(
            storefront_id=prefixed_id("sf"),
            org_id=org_id,
            handle=request.handle,
            name=request.name,
            description=request.description,
            currency=request.currency,
            visibility=request.visibility,
            status="active",
            products_count=0,
            created_at=now,
            updated_at=now,
        )
        writes, claimed = self._store.new_storefront(storefront), claim.item(storefront) if claim else None
        for attempt in range(2):
            try:
                self._store.transact(writes, claimed)
            except ConditionFailed:
                raise HandleTaken(f"The handle {request.handle} is taken") from None
            except Contended:  # a concurrent create of the same handle: its outcome decides ours
                if attempt:
                    raise
                continue
            break
        return storefront

    def get(self, org_id: str, storefront_id: str) -> Storefront:
        found = (
            self._store.storefront(org_id, storefront_id) if STOREFRONT_ID.fullmatch(storefront_id) else None
        )
        if found is None:
            raise StorefrontNotFound(f"Storefront {storefront_id} not found")
        return found

    def open_for_products(self, org_id: str, storefront_id: str) -> Storefront:
        storefront = self.get(org_id, storefront_id)
        if storefront.status == "archived":
            raise StorefrontNotActive(f"Storefront {storefront_id} is archived: it takes no new products")
        return storefront

    def page(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Storefront], bool]:
        return self._store.storefronts(org_id, limit, checked_cursor(STOREFRONT_ID, cursor))

    def update(self, org_id: str, storefront_id: str, request: StorefrontUpdate) -> Storefront:
        def change(sf: Storefront) -> Storefront:
            return replace(
                sf,
                name=request.name if request.name is not None else sf.name,
                description=request.description
                if "description" in request.model_fields_set
                else sf.description,
                visibility=request.visibility if request.visibility is not None else sf.visibility,
                status=request.status if request.status is not None else sf.status,
            )

        return self._change(org_id, storefront_id, change)

    def _change(
        self, org_id: str, storefront_id: str, change: Callable[[Storefront], Storefront]
    ) -> Storefront:
        """Write only what ``change`` changes, conditional on the version read (read again on a race)."""
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            storefront = self.get(org_id, storefront_id)
            changed = change(storefront)
            if changed == storefront:
                return storefront
            changed = replace(changed, updated_at=rfc3339_now(), version=storefront.version + 1)
            try:
                self._store.transact([self._store.changed_storefront(storefront, changed)])
            except (ConditionFailed, Contended):
                continue
            # products_count may have moved meanwhile (it is not versioned): read it back
            return self.get(org_id, storefront_id)
        raise Contended(f"Storefront {storefront_id} is being changed by other requests; try again")
