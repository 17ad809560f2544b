"""Orders: they reserve stock for all their lines at once, then consume it (fulfilled) or release it
(cancelled). ``created`` -> ``fulfilled`` | ``cancelled``, once.

Every step is one transaction through the outbox: the order, each sku's stock (conditional on what it
needs, so concurrent orders can never oversell), the record of each stock change, and the event
(``order.created``, ``order.fulfilled``, ``order.cancelled``). An order created with the
``affiliate_click_id`` of one of the org's clicks, inside its attribution window, converts in that same
transaction (its conversion, its link's counters and ``affiliate.conversion``: see ``Attribution``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, get_args

from fashionos.commerce.errors import (
    InsufficientStock,
    OrderNotFound,
    OrderStateConflict,
    ProductNotActive,
    StorefrontNotActive,
    TooManyChanges,
    UnknownSku,
)
from fashionos.commerce.inventory import new_adjustment
from fashionos.commerce.records import (
    AdjustmentType,
    InventoryItem,
    Order,
    OrderLine,
    OrderStatus,
    quantities,
)
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.errors import Contended, InvalidRequest
from fashionos.events.models import NewEvent
from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.ids import checked_cursor, id_pattern, prefixed_id
from fashionos.times import parse_rfc3339, rfc3339_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from fashionos.commerce.requests import OrderCreate
    from fashionos.idempotency import Claim

ORDER_ID = id_pattern("ord")
ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatus)
MAX_WRITE_ATTEMPTS = 5
# One transaction holds at most 100 items: the order, the storefront's check, its event (2) and the
# idempotency claim; an affiliate conversion (the conversion, its counter, its event: the outbox counts 2
# for every event); then a stock change and its record per sku.
MAX_SKUS = 45


class Attribution(Protocol):
    """Who converts an order's affiliate click (``fashionos.affiliates``): the writes and the event of its
    conversion, for the order's transaction; None when the click is not the org's or its attribution
    window does not hold ``at`` (the order is created all the same, with no conversion)."""

    def order_conversion(
        self, org_id: str, click_id: str, order_id: str, amount: int, currency: str, at: float
    ) -> tuple[Sequence[TransactWriteItemTypeDef], NewEvent] | None: ...


class OrderService:
    def __init__(
        self,
        store: CommerceStore,
        storefronts: StorefrontService,
        outbox: Outbox,
        attribution: Callable[[], Attribution] | None = None,
    ) -> None:
        self._store = store
        self._storefronts = storefronts
        self._outbox = outbox
        self._attribution = attribution  # made on the first order that names a click

    def create(
        self, org_id: str, request: OrderCreate, actor: str, claim: Claim[Order] | None = None
    ) -> Order:
        storefront = self._storefronts.get(org_id, request.storefront_id)
        if storefront.status != "active":
            raise StorefrontNotActive(
                f"Storefront {storefront.storefront_id} is {storefront.status}: it takes no orders"
            )
        sf = storefront.storefront_id
        wanted = quantities(request.lines)
        if len(wanted) > MAX_SKUS:
            raise TooManyChanges(f"lines: an order can hold at most {MAX_SKUS} different skus")
        for _ in range(MAX_WRITE_ATTEMPTS):
            items = self._store.skus(sf, list(wanted))
            unknown = [
                i
                for i, line in enumerate(request.lines)
                if not (line.sku in items and items[line.sku].sellable)
            ]
            if unknown:
                raise UnknownSku(
                    "; ".join(
                        f"lines[{i}].sku: no sellable sku {request.lines[i].sku} in this storefront"
                        for i in unknown
                    )
                )
            products = self._store.products(sf, [item.product_id for item in items.values()])
            inactive = sorted(
                {sku for sku, item in items.items() if products[item.product_id].status != "active"}
            )
            if inactive:
                raise ProductNotActive(f"Only active listings can be ordered: {', '.join(inactive)}")
            self._check_stock(items, wanted)
            now = rfc3339_now()
            order = Order(
                order_id=prefixed_id("ord"),
                org_id=org_id,
                storefront_id=sf,
                status="created",
                currency=storefront.currency,
                lines=tuple(
                    OrderLine(
                        line.sku,
                        items[line.sku].product_id,
                        line.quantity,
                        products[items[line.sku].product_id].unit_price(line.sku),
                    )
                    for line in request.lines
                ),
                created_at=now,
                updated_at=now,
                customer=request.customer.model_dump(exclude_none=True) if request.customer else {},
                affiliate_click_id=request.affiliate_click_id,
                replays=(claim.record,) if claim else (),
            )
            writes = [self._store.put_order(order), self._store.storefront_active(storefront)]
            writes += self._stock_changes(order, "reserve", actor, now)
            conversion = self._conversion(order)
            if conversion is not None:
                writes += conversion[0]
            try:
                self._commit(order, "order.created", writes, claim, [conversion[1]] if conversion else [])
            except ChangeRejected as rejected:
                if rejected.index == 1:
                    raise StorefrontNotActive(
                        f"Storefront {sf} is no longer active: it takes no orders"
                    ) from None
                self._check_stock(self._store.skus(sf, list(wanted)), wanted)
                continue  # no sku is short now: a concurrent change got in between; again
            return order
        raise Contended("The stock of these skus is being changed by other requests; try again")

    def fulfill(self, org_id: str, order_id: str, actor: str, claim: Claim[Order] | None = None) -> Order:
        """The reserved stock leaves: ``on_hand`` and ``reserved`` fall by each line's quantity."""
        return self._finish(org_id, order_id, "fulfilled", "fulfil", actor, claim)

    def cancel(self, org_id: str, order_id: str, actor: str, claim: Claim[Order] | None = None) -> Order:
        """The reservation is released: ``available`` rises back."""
        return self._finish(org_id, order_id, "cancelled", "release", actor, claim)

    def get(self, org_id: str, order_id: str) -> Order:
        order = self._store.order(org_id, order_id) if ORDER_ID.fullmatch(order_id) else None
        if order is None:
            raise OrderNotFound(f"Order {order_id} not found")
        return order

    def page(
        self, org_id: str, storefront_id: str | None, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Order], bool]:
        filters = {}
        if storefront_id is not None:
            filters["storefront_id"] = self._storefronts.get(org_id, storefront_id).storefront_id
        if status is not None:
            if status not in ORDER_STATUSES:
                raise InvalidRequest(f"status must be one of {', '.join(ORDER_STATUSES)}")
            filters["status"] = status
        return self._store.orders(org_id, filters, limit, checked_cursor(ORDER_ID, cursor))

    def _finish(
        self,
        org_id: str,
        order_id: str,
        to: OrderStatus,
        change: AdjustmentType,
        actor: str,
        claim: Claim[Order] | None,
    ) -> Order:
        order = self.get(org_id, order_id)
        if order.status != "created":
            raise OrderStateConflict(f"Order {order_id} is {order.status}: only a created order can be {to}")
        now = rfc3339_now()
        replay = claim.record if claim else None  # the record that will store this response
        replays = (*order.replays, replay) if replay else order.replays
        finished = replace(order, status=to, updated_at=now, replays=replays)
        writes = [self._store.move_order(order, to, now, replay)]
        writes += self._stock_changes(order, change, actor, now)
        try:
            self._commit(finished, f"order.{to}", writes, claim)
        except ChangeRejected:
            current = self.get(org_id, order_id)
            raise OrderStateConflict(
                f"Order {order_id} is {current.status}: only a created order can be {to}"
            ) from None
        return finished

    def _stock_changes(
        self, order: Order, change: AdjustmentType, actor: str, now: str
    ) -> list[TransactWriteItemTypeDef]:
        """Per sku: the stock move (conditional on the stock it needs) and its record."""
        moves, records = [], []
        for sku, quantity in order.quantities().items():
            on_hand, reserved = {
                "reserve": (0, quantity),
                "fulfil": (-quantity, -quantity),
                "release": (0, -quantity),
            }[change]
            moves.append(self._store.move_stock(order.storefront_id, sku, on_hand, reserved, now))
            adjustment = new_adjustment(
                order.storefront_id,
                sku,
                change,
                on_hand,
                reserved,
                f"order {order.order_id}",
                actor,
                order_id=order.order_id,
            )
            records.append(self._store.record(adjustment))
        return moves + records

    def _conversion(self, order: Order) -> tuple[Sequence[TransactWriteItemTypeDef], NewEvent] | None:
        """The conversion of the order's affiliate click, if it converts (at the order's creation)."""
        if self._attribution is None or order.affiliate_click_id is None:
            return None
        return self._attribution().order_conversion(
            order.org_id,
            order.affiliate_click_id,
            order.order_id,
            order.total,
            order.currency,
            parse_rfc3339(order.created_at),
        )

    def _commit(
        self,
        order: Order,
        event: str,
        writes: list[TransactWriteItemTypeDef],
        claim: Claim[Order] | None,
        also: Sequence[NewEvent] = (),
    ) -> None:
        claimed = claim.item(order) if claim else None
        self._outbox.commit(
            order.org_id,
            [NewEvent(event, order.public()), *also],
            writes,
            claim=(lambda _: claimed) if claimed else None,
        )

    @staticmethod
    def _check_stock(items: dict[str, InventoryItem], wanted: dict[str, int]) -> None:
        short = [
            sku for sku, quantity in wanted.items() if sku not in items or items[sku].available < quantity
        ]
        if short:
            raise InsufficientStock(short)
