"""Inventory: the stock of each sellable sku, and the record of every change to it.

``available = on_hand - reserved`` never goes below 0: every write that lowers it is conditional on the
stock it needs (orders reserve, fulfilment consumes, cancellation releases). Each change is recorded with
its type, deltas, reason and actor in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fashionos import retry
from fashionos.commerce import views
from fashionos.commerce.errors import InsufficientStock, InventoryItemNotFound, OnHandMismatch
from fashionos.commerce.records import SKU_PATTERN, Adjustment, AdjustmentType, InventoryItem
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.errors import Contended
from fashionos.idempotency import ConditionFailed
from fashionos.ids import checked_cursor, id_pattern, prefixed_id
from fashionos.times import rfc3339_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from fashionos.commerce.requests import InventoryAdjustment, InventorySet
    from fashionos.idempotency import Claim

MAX_WRITE_ATTEMPTS = 10
SKU = re.compile(SKU_PATTERN)
ADJUSTMENT_ID = id_pattern("adj")


@dataclass(frozen=True, slots=True)
class Adjusted:
    adjustment: Adjustment
    item: InventoryItem  # the stock right after the change

    def public(self) -> views.AdjustmentResult:
        return {**self.adjustment.public(), "inventory": self.item.public()}


def new_adjustment(
    storefront_id: str,
    sku: str,
    type_: AdjustmentType,
    on_hand: int,
    reserved: int,
    reason: str,
    actor: str,
    order_id: str | None = None,
) -> Adjustment:
    return Adjustment(
        adjustment_id=prefixed_id("adj"),
        storefront_id=storefront_id,
        sku=sku,
        type=type_,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        reason=reason,
        actor=actor,
        created_at=rfc3339_now(),
        order_id=order_id,
    )


class InventoryService:
    def __init__(self, store: CommerceStore, storefronts: StorefrontService) -> None:
        self._store = store
        self._storefronts = storefronts

    def page(
        self, org_id: str, storefront_id: str, sku: str | None, limit: int, cursor: str | None
    ) -> tuple[list[InventoryItem], bool]:
        self._storefronts.get(org_id, storefront_id)
        if sku is not None:
            item = self._find(storefront_id, sku)
            return ([item] if item is not None else []), False
        return self._store.inventory_page(storefront_id, limit, checked_cursor(SKU, cursor))

    def _find(self, storefront_id: str, sku: str) -> InventoryItem | None:
        """The inventory item of ``sku``: None for a sku no listing sells (or could have)."""
        item = self._store.sku(storefront_id, sku) if SKU.fullmatch(sku) else None
        return item if item is not None and item.sellable else None

    def _item(self, storefront_id: str, sku: str) -> InventoryItem:
        item = self._find(storefront_id, sku)
        if item is None:
            raise InventoryItemNotFound(f"No inventory item for the sku {sku} in storefront {storefront_id}")
        return item

    def set(
        self, org_id: str, storefront_id: str, sku: str, request: InventorySet, actor: str
    ) -> InventoryItem:
        """PUT: ``on_hand`` becomes the value sent; with ``expected_on_hand``, only if it is that now."""
        self._storefronts.get(org_id, storefront_id)
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            item = self._item(storefront_id, sku)
            if request.expected_on_hand is not None and item.on_hand != request.expected_on_hand:
                raise OnHandMismatch(
                    f"on_hand of {sku} is {item.on_hand}, not the expected_on_hand {request.expected_on_hand}"
                )
            if request.on_hand < item.reserved:
                raise InsufficientStock([sku])
            delta = request.on_hand - item.on_hand
            if delta == 0:
                return item
            adjustment = new_adjustment(storefront_id, sku, "set", delta, 0, "set", actor)
            if self._write(item, adjustment):
                return replace(item, on_hand=request.on_hand, updated_at=adjustment.created_at)
        raise Contended(f"The stock of {sku} is being changed by other requests; try again")

    def adjust(
        self,
        org_id: str,
        storefront_id: str,
        sku: str,
        request: InventoryAdjustment,
        actor: str,
        claim: Claim[Adjusted] | None = None,
    ) -> Adjusted:
        """Add ``delta`` to ``on_hand``; refused when it would make ``available`` negative."""
        self._storefronts.get(org_id, storefront_id)
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            item = self._item(storefront_id, sku)
            if item.available + request.delta < 0:
                raise InsufficientStock([sku])
            adjustment = new_adjustment(storefront_id, sku, "adjust", request.delta, 0, request.reason, actor)
            after = replace(item, on_hand=item.on_hand + request.delta, updated_at=adjustment.created_at)
            result = Adjusted(adjustment, after)
            if self._write(item, adjustment, claim.item(result) if claim else None):
                return result
        raise Contended(f"The stock of {sku} is being changed by other requests; try again")

    def adjustments(
        self, org_id: str, storefront_id: str, sku: str, limit: int, cursor: str | None
    ) -> tuple[list[Adjustment], bool]:
        self._storefronts.get(org_id, storefront_id)
        self._item(storefront_id, sku)
        return self._store.adjustments(storefront_id, sku, limit, checked_cursor(ADJUSTMENT_ID, cursor))

    def _write(
        self, item: InventoryItem, adjustment: Adjustment, claim: TransactWriteItemTypeDef | None = None
    ) -> bool:
        """The change, compare-and-set on the stock read; False when it moved meanwhile."""
        move = self._store.move_stock(
            item.storefront_id, item.sku, adjustment.on_hand_delta, 0, adjustment.created_at, read=item
        )

        try:
            self._store.transact([move, self._store.record(adjustment)], claim)
        except (ConditionFailed, Contended):
            return False
        return True
