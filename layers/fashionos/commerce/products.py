"""Product listings: upserted by the partner's sku, versioned, counted exactly per storefront.

A listing's skus (its own, and each variant's) are items of their own, unique in the storefront: they hold
the stock (``fashionos.commerce.inventory``). An upsert writes the listing, the skus it adds or removes, the
storefront's ``products_count`` when a listing is created, archived or unarchived, and ``product.updated``,
in one transaction (the outbox), on the condition that the listing is still at the version read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, get_args

from fashionos import retry
from fashionos.commerce.errors import (
    CurrencyMismatch,
    ProductNotFound,
    ReservedStock,
    SkuTaken,
    StorefrontNotActive,
    TooManyChanges,
    VersionMismatch,
)
from fashionos.commerce.records import Product, ProductStatus, Storefront, Variant
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.errors import Contended, InvalidRequest
from fashionos.events.models import NewEvent
from fashionos.events.outbox import ChangeRejected, Outbox
from fashionos.ids import checked_cursor, id_pattern, prefixed_id
from fashionos.times import rfc3339_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from fashionos.commerce.requests import ProductUpsert
    from fashionos.idempotency import Claim

PRODUCT_ID = id_pattern("prd")
PRODUCT_STATUSES: tuple[str, ...] = get_args(ProductStatus)
MAX_WRITE_ATTEMPTS = 5
# One transaction holds at most 100 items: the listing, its own sku, the storefront, the event (2) and
# the idempotency claim leave this many for variant skus added or removed by one request.
MAX_SKU_CHANGES = 94


@dataclass(frozen=True, slots=True)
class Upserted:
    product: Product
    created: bool


class ProductService:
    def __init__(self, store: CommerceStore, storefronts: StorefrontService, outbox: Outbox) -> None:
        self._store = store
        self._storefronts = storefronts
        self._outbox = outbox

    def upsert(
        self,
        org_id: str,
        storefront_id: str,
        request: ProductUpsert,
        *,
        if_match: int | None = None,
        claim: Claim[Upserted] | None = None,
    ) -> Upserted:
        """Create the listing of ``request.sku`` or replace it whole; a request that changes nothing
        writes nothing. ``if_match``: the version the caller last read (412 if it moved)."""
        storefront = self._storefronts.open_for_products(org_id, storefront_id)
        prices = [request.price, *(v.price for v in request.variants if v.price is not None)]
        if any(price.currency != storefront.currency for price in prices):
            raise CurrencyMismatch(
                f"price.currency: must be the storefront's currency, {storefront.currency}"
            )
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            existing = self._by_sku(storefront_id, request.sku)
            if if_match is not None and (existing is None or existing.version != if_match):
                raise VersionMismatch(
                    f"The listing {request.sku} is not at version {if_match} (If-Match); read it again"
                )
            now = rfc3339_now()
            product = Product(
                product_id=existing.product_id if existing else prefixed_id("prd"),
                storefront_id=storefront_id,
                sku=request.sku,
                title=request.title,
                description=request.description,
                price=request.price.amount,
                currency=storefront.currency,
                images=tuple(request.images),
                variants=tuple(
                    Variant(v.sku, v.size, v.color, v.price.amount if v.price else None)
                    for v in request.variants
                ),
                status=request.status,
                attributes=tuple(sorted(request.attributes.items())),
                version=existing.version + 1 if existing else 1,
                created_at=existing.created_at if existing else now,
                updated_at=now,
            )
            if existing is not None and existing.same_listing(product):
                return Upserted(existing, created=False)
            result = Upserted(product, created=existing is None)
            if self._save(org_id, storefront, existing, product, claim.item(result) if claim else None):
                return result
        raise Contended(f"The listing {request.sku} is being changed by other requests; try again")

    def archive(self, org_id: str, storefront_id: str, product_id: str) -> Product:
        """DELETE: the listing stays, archived (out of ``products_count``, not orderable)."""
        storefront = self._storefronts.get(org_id, storefront_id)
        for _ in retry.attempts(MAX_WRITE_ATTEMPTS):
            product = self._product(storefront_id, product_id)
            if product.status == "archived":
                return product
            archived = replace(
                product, status="archived", version=product.version + 1, updated_at=rfc3339_now()
            )
            if self._save(org_id, storefront, product, archived, None):
                return archived
        raise Contended(f"Product {product_id} is being changed by other requests; try again")

    def get(self, org_id: str, storefront_id: str, product_id: str) -> Product:
        self._storefronts.get(org_id, storefront_id)
        return self._product(storefront_id, product_id)

    def _product(self, storefront_id: str, product_id: str) -> Product:
        """A listing of a storefront already checked to be the caller's."""
        product = self._store.product(storefront_id, product_id) if PRODUCT_ID.fullmatch(product_id) else None
        if product is None:
            raise ProductNotFound(f"Product {product_id} not found")
        return product

    def page(
        self, org_id: str, storefront_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Product], bool]:
        self._storefronts.get(org_id, storefront_id)
        if status is not None and status not in PRODUCT_STATUSES:
            raise InvalidRequest(f"status must be one of {', '.join(PRODUCT_STATUSES)}")
        return self._store.product_page(storefront_id, status, limit, checked_cursor(PRODUCT_ID, cursor))

    def _by_sku(self, storefront_id: str, sku: str) -> Product | None:
        item = self._store.sku(storefront_id, sku)
        if item is None:
            return None
        product = self._store.product(storefront_id, item.product_id)
        if product is None or product.sku != sku:
            raise SkuTaken(f"The sku {sku} is a variant of the listing {item.product_id}")
        return product

    def _save(
        self,
        org_id: str,
        storefront: Storefront,
        existing: Product | None,
        product: Product,
        claim: TransactWriteItemTypeDef | None,
    ) -> bool:
        """Commit the listing, its sku changes, the count and the event; False if a concurrent write got in
        first (read again and redo)."""
        writes, meanings = self._writes(storefront, existing, product)
        event = NewEvent("product.updated", product.public())
        try:
            self._outbox.commit(org_id, [event], writes, claim=(lambda _: claim) if claim else None)
        except ChangeRejected as rejected:
            meaning, sku = meanings[rejected.index]
            if meaning == "storefront":
                raise StorefrontNotActive(f"Storefront {storefront.storefront_id} is archived") from None
            if meaning == "reserved":
                raise ReservedStock(
                    f"Orders hold stock of the sku {sku}: fulfil or cancel them first"
                ) from None
            if meaning == "added":
                owner = self._store.sku(storefront.storefront_id, sku)
                if owner is not None and owner.product_id != product.product_id:
                    raise SkuTaken(f"The sku {sku} is already used in this storefront") from None
            return False  # "product" or a sku created concurrently: read again
        return True

    def _writes(
        self, storefront: Storefront, existing: Product | None, product: Product
    ) -> tuple[list[TransactWriteItemTypeDef], list[tuple[str, str]]]:
        sf, now = storefront.storefront_id, product.updated_at
        writes = [self._store.put_product(product, existing.version if existing else None)]
        meanings = [("product", product.sku)]
        own_sellable = not product.variants
        if existing is None:
            writes.append(self._store.new_sku(sf, product.sku, product.product_id, own_sellable, now))
            meanings.append(("product", product.sku))
        elif (not existing.variants) != own_sellable:
            writes.append(self._store.make_sellable(sf, product.sku, product.product_id, own_sellable, now))
            meanings.append(("reserved", product.sku))
        was_counted = existing is not None and existing.status != "archived"
        delta = int(product.status != "archived") - int(was_counted)
        writes.append(self._store.count_products(storefront, delta))
        meanings.append(("storefront", ""))
        old = {v.sku for v in existing.variants} if existing else set()
        new = {v.sku for v in product.variants}
        if len(new - old) + len(old - new) > MAX_SKU_CHANGES:
            raise TooManyChanges(
                f"variants: one request can add or remove at most {MAX_SKU_CHANGES} variant skus"
            )
        for sku in sorted(new - old):
            writes.append(self._store.new_sku(sf, sku, product.product_id, True, now))
            meanings.append(("added", sku))
        for sku in sorted(old - new):
            writes.append(self._store.drop_sku(sf, sku, product.product_id))
            meanings.append(("reserved", sku))
        return writes, meanings
