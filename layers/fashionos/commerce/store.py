"""DynamoDB access for commerce: the only module of this area that talks to boto3.

One table (``CommerceTable``), keys by owner, so every read names the caller's org or a storefront already
checked to be the org's (another org's id is simply not found):

- ``ORG#{org}`` / ``STOREFRONT#{sf}``: a storefront, with its exact ``products_count`` and a ``version``;
- ``HANDLE#{handle, lower-cased}`` / ``HANDLE``: the platform-wide claim on a handle;
- ``STOREFRONT#{sf}`` / ``PRODUCT#{prd}``: a listing (``listing``: its JSON), ``version`` +1 per change;
- ``STOREFRONT#{sf}`` / ``SKU#{sku}``: every sku of the storefront (a listing's own and its variants'),
  with its stock: ``on_hand``, ``reserved`` and ``available`` (kept equal to ``on_hand - reserved`` by every
  write, because a condition expression cannot subtract); ``sellable`` marks the inventory items;
- ``STOREFRONT#{sf}#SKU#{sku}`` / ``ADJ#{adj}``: the stock changes of a sku (newest last: ULIDs);
- ``ORG#{org}`` / ``ORDER#{ord}``: an order with its lines (``replays``: the idempotency records whose
  stored responses show it);
- ``ERASED#{tombstone}`` / ``ORDER#{ulid}``: what accounting keeps of an erased org's order (amounts,
  currency, status, times: nothing that names the org, its catalogue or the shopper).

Writes are ``TransactWriteItems`` entries built here and committed by the area's services: through the
outbox with the events they cause (listings, orders), or with ``transact`` (storefronts, stock set or
adjusted, which emit no event).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError

from fashionos.aws import batch_get, condition_failed, query_page, query_prefix, versioned_update
from fashionos.aws import number as _n
from fashionos.aws import string as _s
from fashionos.commerce.records import (
    Adjustment,
    AdjustmentType,
    InventoryItem,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductStatus,
    Storefront,
    StorefrontStatus,
    Variant,
)
from fashionos.idempotency import transact_with_claim
from fashionos.ids import ulid

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, TransactWriteItemTypeDef

Item = dict[str, Any]
T = TypeVar("T")


def storefront_key(org_id: str, storefront_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"STOREFRONT#{storefront_id}")}


def handle_key(handle: str) -> Item:
    return {"pk": _s(f"HANDLE#{handle.lower()}"), "sk": _s("HANDLE")}


def product_key(storefront_id: str, product_id: str) -> Item:
    return {"pk": _s(f"STOREFRONT#{storefront_id}"), "sk": _s(f"PRODUCT#{product_id}")}


def sku_key(storefront_id: str, sku: str) -> Item:
    return {"pk": _s(f"STOREFRONT#{storefront_id}"), "sk": _s(f"SKU#{sku}")}


def order_key(org_id: str, order_id: str) -> Item:
    return {"pk": _s(f"ORG#{org_id}"), "sk": _s(f"ORDER#{order_id}")}


# --- items <-> records ---------------------------------------------------------------------------


def _storefront_item(sf: Storefront) -> Item:
    item = {
        **storefront_key(sf.org_id, sf.storefront_id),
        "handle": _s(sf.handle),
        "name": _s(sf.name),
        "currency": _s(sf.currency),
        "visibility": _s(sf.visibility),
        "status": _s(sf.status),
        "products_count": _n(sf.products_count),
        "version": _n(sf.version),
        "created_at": _s(sf.created_at),
        "updated_at": _s(sf.updated_at),
    }
    if sf.description is not None:
        item["description"] = _s(sf.description)
    return item


def _storefront(item: Item) -> Storefront:
    return Storefront(
        storefront_id=item["sk"]["S"].removeprefix("STOREFRONT#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        handle=item["handle"]["S"],
        name=item["name"]["S"],
        description=item["description"]["S"] if "description" in item else None,
        currency=item["currency"]["S"],
        visibility=item["visibility"]["S"],
        status=cast(StorefrontStatus, item["status"]["S"]),
        products_count=int(item["products_count"]["N"]),
        version=int(item["version"]["N"]),
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
    )


def _product_item(product: Product) -> Item:
    listing = {
        "title": product.title,
        "description": product.description,
        "price": product.price,
        "currency": product.currency,
        "images": list(product.images),
        "variants": [[v.sku, v.size, v.color, v.price] for v in product.variants],
        "attributes": dict(product.attributes),
    }
    return {
        **product_key(product.storefront_id, product.product_id),
        "sku": _s(product.sku),
        "status": _s(product.status),
        "version": _n(product.version),
        "listing": _s(json.dumps(listing, separators=(",", ":"))),
        "created_at": _s(product.created_at),
        "updated_at": _s(product.updated_at),
    }


def _product(item: Item) -> Product:
    listing = json.loads(item["listing"]["S"])
    return Product(
        product_id=item["sk"]["S"].removeprefix("PRODUCT#"),
        storefront_id=item["pk"]["S"].removeprefix("STOREFRONT#"),
        sku=item["sku"]["S"],
        title=listing["title"],
        description=listing["description"],
        price=listing["price"],
        currency=listing["currency"],
        images=tuple(listing["images"]),
        variants=tuple(Variant(*v) for v in listing["variants"]),
        status=cast(ProductStatus, item["status"]["S"]),
        attributes=tuple(sorted(listing["attributes"].items())),
        version=int(item["version"]["N"]),
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
    )


def _inventory(item: Item) -> InventoryItem:
    return InventoryItem(
        storefront_id=item["pk"]["S"].removeprefix("STOREFRONT#"),
        sku=item["sk"]["S"].removeprefix("SKU#"),
        product_id=item["product_id"]["S"],
        on_hand=int(item["on_hand"]["N"]),
        reserved=int(item["reserved"]["N"]),
        updated_at=item["updated_at"]["S"],
        sellable=item["sellable"]["BOOL"],
    )


def _adjustment(item: Item) -> Adjustment:
    storefront, sku = item["pk"]["S"].removeprefix("STOREFRONT#").split("#SKU#", 1)
    return Adjustment(
        adjustment_id=item["sk"]["S"].removeprefix("ADJ#"),
        storefront_id=storefront,
        sku=sku,
        type=cast(AdjustmentType, item["type"]["S"]),
        on_hand_delta=int(item["on_hand_delta"]["N"]),
        reserved_delta=int(item["reserved_delta"]["N"]),
        reason=item["reason"]["S"],
        actor=item["actor"]["S"],
        created_at=item["created_at"]["S"],
        order_id=item["order_id"]["S"] if "order_id" in item else None,
    )


def _order_item(order: Order) -> Item:
    item = {
        **order_key(order.org_id, order.order_id),
        "storefront_id": _s(order.storefront_id),
        "status": _s(order.status),
        "currency": _s(order.currency),
        "lines": _s(json.dumps([[li.sku, li.product_id, li.quantity, li.unit_price] for li in order.lines])),
        "customer": _s(json.dumps(order.customer)),
        "created_at": _s(order.created_at),
        "updated_at": _s(order.updated_at),
    }
    if order.affiliate_click_id is not None:
        item["affiliate_click_id"] = _s(order.affiliate_click_id)
    if order.customer_erased_at is not None:
        item["customer_erased_at"] = _s(order.customer_erased_at)
    if order.replays:
        item["replays"] = {"SS": list(order.replays)}
    return item


def _order(item: Item) -> Order:
    return Order(
        order_id=item["sk"]["S"].removeprefix("ORDER#"),
        org_id=item["pk"]["S"].removeprefix("ORG#"),
        storefront_id=item["storefront_id"]["S"],
        status=cast(OrderStatus, item["status"]["S"]),
        currency=item["currency"]["S"],
        lines=tuple(OrderLine(*line) for line in json.loads(item["lines"]["S"])),
        customer=json.loads(item["customer"]["S"]),
        affiliate_click_id=item["affiliate_click_id"]["S"] if "affiliate_click_id" in item else None,
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        customer_erased_at=item["customer_erased_at"]["S"] if "customer_erased_at" in item else None,
        replays=tuple(sorted(item["replays"]["SS"])) if "replays" in item else (),
    )


# --- the store -----------------------------------------------------------------------------------


class CommerceStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._db = client
        self.table = table

    # reads

    def _get(self, key: Item) -> Item | None:
        return self._db.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")

    def storefront(self, org_id: str, storefront_id: str) -> Storefront | None:
        item = self._get(storefront_key(org_id, storefront_id))
        return _storefront(item) if item else None

    def product(self, storefront_id: str, product_id: str) -> Product | None:
        item = self._get(product_key(storefront_id, product_id))
        return _product(item) if item else None

    def sku(self, storefront_id: str, sku: str) -> InventoryItem | None:
        item = self._get(sku_key(storefront_id, sku))
        return _inventory(item) if item else None

    def skus(self, storefront_id: str, skus: Sequence[str]) -> dict[str, InventoryItem]:
        """The items of ``skus`` that exist, by sku."""
        found = batch_get(
            self._db, self.table, [sku_key(storefront_id, sku) for sku in dict.fromkeys(skus)], _inventory
        )
        return {item.sku: item for item in found}

    def products(self, storefront_id: str, product_ids: Sequence[str]) -> dict[str, Product]:
        """The listings of ``product_ids`` that exist, by id."""
        keys = [product_key(storefront_id, product_id) for product_id in dict.fromkeys(product_ids)]
        return {product.product_id: product for product in batch_get(self._db, self.table, keys, _product)}

    def org_product(self, org_id: str, product_id: str) -> Product | None:
        """The listing ``product_id`` of any of the org's storefronts (another org's is None): the org's
        storefront ids (one Query, keys only) and their possible items (one BatchGetItem per 100)."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": _s(f"ORG#{org_id}"), ":prefix": _s("STOREFRONT#")},
            ProjectionExpression="sk",
            ConsistentRead=True,
        )
        storefronts = [
            item["sk"]["S"].removeprefix("STOREFRONT#") for page in pages for item in page.get("Items", [])
        ]
        found = batch_get(self._db, self.table, [product_key(sf, product_id) for sf in storefronts], _product)
        return found[0] if found else None

    def order(self, org_id: str, order_id: str) -> Order | None:
        item = self._get(order_key(org_id, order_id))
        return _order(item) if item else None

    def _page(
        self, pk: str, prefix: str, limit: int, after: Item | None, filters: Mapping[str, Any] | None = None
    ) -> QueryInputTypeDef:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": _s(pk), ":prefix": _s(prefix)},
        }
        if not filters:  # with a filter, DynamoDB's Limit counts the items read, not those that match
            query["Limit"] = limit + 1
        else:
            names = {f"#f{i}": name for i, name in enumerate(filters)}
            query["FilterExpression"] = " AND ".join(f"#f{i} = :f{i}" for i in range(len(filters)))
            query["ExpressionAttributeNames"] = names
            values = query["ExpressionAttributeValues"]
            for i, value in enumerate(filters.values()):
                values[f":f{i}"] = value  # type: ignore[index]
        if after is not None:
            query["ExclusiveStartKey"] = after
        return query

    def storefronts(self, org_id: str, limit: int, after: str | None) -> tuple[list[Storefront], bool]:
        start = storefront_key(org_id, after) if after else None
        return query_page(
            self._db, self._page(f"ORG#{org_id}", "STOREFRONT#", limit, start), limit, _storefront
        )

    def product_page(
        self, storefront_id: str, status: str | None, limit: int, after: str | None
    ) -> tuple[list[Product], bool]:
        start = product_key(storefront_id, after) if after else None
        filters = {"status": _s(status)} if status else None
        query = self._page(f"STOREFRONT#{storefront_id}", "PRODUCT#", limit, start, filters)
        return query_page(self._db, query, limit, _product)

    def inventory_page(
        self, storefront_id: str, limit: int, after: str | None
    ) -> tuple[list[InventoryItem], bool]:
        start = sku_key(storefront_id, after) if after else None
        filters = {"sellable": {"BOOL": True}}
        query = self._page(f"STOREFRONT#{storefront_id}", "SKU#", limit, start, filters)
        return query_page(self._db, query, limit, _inventory)

    def adjustments(
        self, storefront_id: str, sku: str, limit: int, after: str | None
    ) -> tuple[list[Adjustment], bool]:
        pk = f"STOREFRONT#{storefront_id}#SKU#{sku}"
        start = {"pk": _s(pk), "sk": _s(f"ADJ#{after}")} if after else None
        return query_page(self._db, self._page(pk, "ADJ#", limit, start), limit, _adjustment)

    def orders(
        self, org_id: str, filters: Mapping[str, str], limit: int, after: str | None
    ) -> tuple[list[Order], bool]:
        start = order_key(org_id, after) if after else None
        query = self._page(f"ORG#{org_id}", "ORDER#", limit, start, {k: _s(v) for k, v in filters.items()})
        return query_page(self._db, query, limit, _order)

    # writes (TransactWriteItems entries)

    def transact(
        self, items: list[TransactWriteItemTypeDef], claim: TransactWriteItemTypeDef | None = None
    ) -> None:
        """``items`` (and an idempotency claim) in one transaction: see ``transact_with_claim``."""
        transact_with_claim(self._db, items, claim)

    def new_storefront(self, sf: Storefront) -> list[TransactWriteItemTypeDef]:
        """The handle's claim (index 0: fails when taken, whatever its case) and the storefront."""
        return [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        **handle_key(sf.handle),
                        "storefront_id": _s(sf.storefront_id),
                        "org_id": _s(sf.org_id),
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _storefront_item(sf),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]

    def changed_storefront(self, before: Storefront, after: Storefront) -> TransactWriteItemTypeDef:
        """The fields ``after`` changes, if the storefront is still at ``before.version``
        (``products_count`` moves with the listings, never here)."""
        key = storefront_key(before.org_id, before.storefront_id)
        old, new = _storefront_item(before), _storefront_item(after)
        return versioned_update(self.table, key, old, new, before.version, fixed=("products_count",))

    def count_products(self, storefront: Storefront, delta: int) -> TransactWriteItemTypeDef:
        """Move ``products_count`` by ``delta`` (or only check, for 0), if the storefront is not archived."""
        key = storefront_key(storefront.org_id, storefront.storefront_id)
        condition = "attribute_exists(pk) AND #status <> :archived"
        values = {":archived": _s("archived")}
        if delta == 0:
            return {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": key,
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": values,
                }
            }
        return {
            "Update": {
                "TableName": self.table,
                "Key": key,
                "UpdateExpression": "ADD products_count :delta",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {**values, ":delta": _n(delta)},
            }
        }

    def put_product(self, product: Product, read_version: int | None) -> TransactWriteItemTypeDef:
        """The whole listing; a new one must not exist, a changed one must still be at ``read_version``."""
        put: Any = {"TableName": self.table, "Item": _product_item(product)}
        if read_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "#version = :read"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":read": _n(read_version)}
        return {"Put": put}

    def new_sku(
        self, storefront_id: str, sku: str, product_id: str, sellable: bool, now: str
    ) -> TransactWriteItemTypeDef:
        """A sku of the storefront, with no stock; fails if the sku is anyone's already."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": {
                    **sku_key(storefront_id, sku),
                    "product_id": _s(product_id),
                    "sellable": {"BOOL": sellable},
                    "on_hand": _n(0),
                    "reserved": _n(0),
                    "available": _n(0),
                    "updated_at": _s(now),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def drop_sku(self, storefront_id: str, sku: str, product_id: str) -> TransactWriteItemTypeDef:
        """Remove a listing's sku; fails while orders hold some of its stock."""
        return {
            "Delete": {
                "TableName": self.table,
                "Key": sku_key(storefront_id, sku),
                "ConditionExpression": "product_id = :me AND reserved = :zero",
                "ExpressionAttributeValues": {":me": _s(product_id), ":zero": _n(0)},
            }
        }

    def make_sellable(
        self, storefront_id: str, sku: str, product_id: str, sellable: bool, now: str
    ) -> TransactWriteItemTypeDef:
        """A listing's own sku becomes (or stops being) an inventory item as its variants go and come;
        it stops only while no stock of it is reserved."""
        condition = "product_id = :me" + ("" if sellable else " AND reserved = :zero")
        values: dict[str, Any] = {":me": _s(product_id), ":sellable": {"BOOL": sellable}, ":now": _s(now)}
        if not sellable:
            values[":zero"] = _n(0)
        return {
            "Update": {
                "TableName": self.table,
                "Key": sku_key(storefront_id, sku),
                "UpdateExpression": "SET sellable = :sellable, updated_at = :now",
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    def move_stock(
        self,
        storefront_id: str,
        sku: str,
        on_hand: int,
        reserved: int,
        now: str,
        *,
        read: InventoryItem | None = None,
    ) -> TransactWriteItemTypeDef:
        """Add ``on_hand`` and ``reserved`` to a sellable sku's stock, on the condition that ``available``
        stays >= 0 (and, with ``read``, that the stock is still as read: a compare-and-set)."""
        available = on_hand - reserved
        conditions = ["attribute_exists(pk)", "sellable = :true"]
        values: dict[str, Any] = {":true": {"BOOL": True}, ":now": _s(now)}
        if available < 0:
            conditions.append("available >= :needed")
            values[":needed"] = _n(-available)
        if reserved < 0:
            conditions.append("reserved >= :releasing")
            values[":releasing"] = _n(-reserved)
        if read is not None:
            conditions.append("on_hand = :read_on_hand AND reserved = :read_reserved")
            values |= {":read_on_hand": _n(read.on_hand), ":read_reserved": _n(read.reserved)}
        adds = [
            f"{name} :{name}"
            for name, delta in (("on_hand", on_hand), ("reserved", reserved), ("available", available))
            if delta
        ]
        values |= {
            f":{name}": _n(delta)
            for name, delta in (("on_hand", on_hand), ("reserved", reserved), ("available", available))
            if delta
        }
        expression = "SET updated_at = :now" + (" ADD " + ", ".join(adds) if adds else "")
        return {
            "Update": {
                "TableName": self.table,
                "Key": sku_key(storefront_id, sku),
                "UpdateExpression": expression,
                "ConditionExpression": " AND ".join(conditions),
                "ExpressionAttributeValues": values,
            }
        }

    def record(self, adjustment: Adjustment) -> TransactWriteItemTypeDef:
        item = {
            "pk": _s(f"STOREFRONT#{adjustment.storefront_id}#SKU#{adjustment.sku}"),
            "sk": _s(f"ADJ#{adjustment.adjustment_id}"),
            "type": _s(adjustment.type),
            "on_hand_delta": _n(adjustment.on_hand_delta),
            "reserved_delta": _n(adjustment.reserved_delta),
            "reason": _s(adjustment.reason),
            "actor": _s(adjustment.actor),
            "created_at": _s(adjustment.created_at),
        }
        if adjustment.order_id:
            item["order_id"] = _s(adjustment.order_id)
        return {"Put": {"TableName": self.table, "Item": item}}

    def storefront_active(self, storefront: Storefront) -> TransactWriteItemTypeDef:
        """Fails unless the storefront is (still) active."""
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": storefront_key(storefront.org_id, storefront.storefront_id),
                "ConditionExpression": "#status = :active",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":active": _s("active")},
            }
        }

    def put_order(self, order: Order) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _order_item(order),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def move_order(
        self, order: Order, to: OrderStatus, now: str, replay: str | None = None
    ) -> TransactWriteItemTypeDef:
        """``created`` -> ``to``, once: fails if the order is no longer ``created``. ``replay``: the
        idempotency record that stores the response of this change."""
        values = {":to": _s(to), ":now": _s(now), ":created": _s("created")}
        expression = "SET #status = :to, updated_at = :now"
        if replay is not None:
            expression += " ADD replays :replay"
            values[":replay"] = {"SS": [replay]}  # type: ignore[dict-item]
        return {
            "Update": {
                "TableName": self.table,
                "Key": order_key(order.org_id, order.order_id),
                "UpdateExpression": expression,
                "ConditionExpression": "#status = :created",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": values,
            }
        }

    # everything of an org (its export and its erasure)

    def _every(self, pk: str, prefix: str, convert: Callable[[Item], T]) -> Iterator[T]:
        """Every item of ``pk`` whose sort key starts with ``prefix``, in key order."""
        return (convert(item) for item in query_prefix(self._db, self.table, pk, prefix))

    def org_storefronts(self, org_id: str) -> Iterator[Storefront]:
        return self._every(f"ORG#{org_id}", "STOREFRONT#", _storefront)

    def org_orders(self, org_id: str) -> Iterator[Order]:
        """The org's orders, oldest first: one Query of its partition, page by page."""
        return self._every(f"ORG#{org_id}", "ORDER#", _order)

    def storefront_products(self, storefront_id: str) -> Iterator[Product]:
        return self._every(f"STOREFRONT#{storefront_id}", "PRODUCT#", _product)

    def storefront_skus(self, storefront_id: str) -> Iterator[InventoryItem]:
        """Every sku of the storefront (``sellable`` tells the inventory items)."""
        return self._every(f"STOREFRONT#{storefront_id}", "SKU#", _inventory)

    def sku_adjustments(self, storefront_id: str, sku: str) -> Iterator[Adjustment]:
        return self._every(f"STOREFRONT#{storefront_id}#SKU#{sku}", "ADJ#", _adjustment)

    @staticmethod
    def belongs(item: Item, org_id: str, storefront_ids: Collection[str]) -> bool:
        """Whether an item is the org's to erase: its storefronts and orders (its partition), its
        storefronts' handle claims, their listings and skus, and every sku's stock history (also that of
        a sku no listing has any more, which only a Scan finds)."""
        pk = item["pk"]["S"]
        if pk == f"ORG#{org_id}" or item.get("org_id") == _s(org_id):
            return True
        return pk.startswith("STOREFRONT#") and pk.split("#")[1] in storefront_ids

    @staticmethod
    def order_of(item: Item) -> Order | None:
        """The order an item holds (of an org's partition), else None."""
        return _order(item) if item["sk"]["S"].startswith("ORDER#") and "lines" in item else None

    def anonymised(self, order: Order, tombstone: str, erased_at: str) -> list[TransactWriteItemTypeDef]:
        """The order replaced by what accounting keeps of it, under ``tombstone`` (the erased org's, opaque):
        status, currency, each line's quantity and unit price, the total and the times; not the order's id,
        storefront, skus, products, customer or affiliate click. Fails if the order is gone already."""
        lines = [[line.quantity, line.unit_price] for line in order.lines]
        kept: Item = {
            "pk": _s(f"ERASED#{tombstone}"),
            "sk": _s(f"ORDER#{ulid()}"),
            "status": _s(order.status),
            "currency": _s(order.currency),
            "total": _n(order.total),
            "lines": _s(json.dumps(lines, separators=(",", ":"))),
            "created_at": _s(order.created_at),
            "updated_at": _s(order.updated_at),
            "erased_at": _s(erased_at),
        }
        return [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": kept,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": order_key(order.org_id, order.order_id),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]

    def erase_customer(self, order: Order, erased_at: str) -> bool:
        """The order keeps no customer (``customer_erased_at`` says since when), if its customer is still
        the one read; False otherwise (changed meanwhile, or the order is gone)."""
        try:
            self._db.update_item(
                TableName=self.table,
                Key=order_key(order.org_id, order.order_id),
                UpdateExpression="SET customer = :none, customer_erased_at = :at",
                ConditionExpression="customer = :read",
                ExpressionAttributeValues={
                    ":none": _s(json.dumps({})),
                    ":at": _s(erased_at),
                    ":read": _s(json.dumps(order.customer)),
                },
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True
