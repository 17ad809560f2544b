"""Commerce errors, by kind (each API maps kinds, never these classes)."""

from __future__ import annotations

from collections.abc import Sequence

from fashionos.errors import Conflict, NotFound, PreconditionFailed, Unprocessable


class StorefrontNotFound(NotFound):
    """No such storefront in the caller's org (another org's id included)."""


class ProductNotFound(NotFound):
    """No such product in that storefront."""


class InventoryItemNotFound(NotFound):
    """No sellable sku of that name in that storefront."""


class OrderNotFound(NotFound):
    """No such order in the caller's org (another org's id included)."""


class HandleTaken(Conflict):
    """The storefront handle is another storefront's (handles are unique platform-wide)."""

    code = "handle_taken"


class StorefrontNotActive(Conflict):
    """An archived storefront takes no new products; only an active one takes orders."""

    code = "storefront_not_active"


class SkuTaken(Conflict):
    """The sku is already another listing's (or one of its variants') in this storefront."""

    code = "sku_taken"


class ReservedStock(Conflict):
    """A change that would drop a sku (or make it unsellable) while orders hold some of its stock."""

    code = "stock_reserved"


class VersionMismatch(PreconditionFailed):
    """``If-Match`` names a version the listing no longer has."""

    code = "version_mismatch"


class OnHandMismatch(Conflict):
    """A compare-and-set of ``on_hand`` whose ``expected_on_hand`` is not the stored value."""

    code = "on_hand_mismatch"


class InsufficientStock(Conflict):
    """Not enough available stock (on hand minus reserved) for the change or the order."""

    code = "insufficient_stock"

    def __init__(self, skus: Sequence[str]) -> None:
        super().__init__(f"Not enough available stock for: {', '.join(skus)}")
        self.skus = tuple(skus)


class ProductNotActive(Conflict):
    """An order line names a listing that is not active."""

    code = "product_not_active"


class OrderStateConflict(Conflict):
    """Only a ``created`` order can be fulfilled or cancelled, once."""

    code = "order_state"


class CurrencyMismatch(Unprocessable):
    """A price in another currency than the storefront's (fixed when it was created)."""

    code = "currency_mismatch"


class UnknownSku(Unprocessable):
    """An order line names a sku the storefront does not sell."""

    code = "unknown_sku"


class TooManyChanges(Unprocessable):
    """More skus in one request than one transaction can change (variants added or removed, an
    order's distinct skus)."""

    code = "too_many_changes"
