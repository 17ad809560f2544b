"""The path and query parameters of the commerce routes, declared once for every route that takes them.

Each schema states the check the service makes of the value, no more and no less: an id that cannot be one
is not found (404), a status filter outside its enum is a 400, a cursor is the last id (or sku) of a page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import get_args

from fashionos.commerce.records import SKU_PATTERN
from fashionos.commerce.views import OrderStatus, ProductStatus
from fashionos.contract import Param, id_param
from fashionos.ids import ID_BODY

STOREFRONT_ID = id_param("storefront_id", "sf", "storefront")
PRODUCT_ID = id_param("product_id", "prd", "product")
ORDER_ID = id_param("order_id", "ord", "order")
SKU = Param(
    "sku",
    "The sellable sku (a variant's, or the product's own)",
    {"type": "string", "pattern": f"^{SKU_PATTERN}$"},
    required=True,
)

# What each list's ``cursor`` must fully match (``page_params``): the ``checked_cursor`` of its service.
STOREFRONT_CURSOR = f"sf_{ID_BODY}"  # storefronts.STOREFRONT_ID
PRODUCT_CURSOR = f"prd_{ID_BODY}"  # products.PRODUCT_ID
ORDER_CURSOR = f"ord_{ID_BODY}"  # orders.ORDER_ID
ADJUSTMENT_CURSOR = f"adj_{ID_BODY}"  # inventory.ADJUSTMENT_ID
INVENTORY_CURSOR = SKU_PATTERN  # inventory.SKU: the inventory is listed by sku

# A storefront named in the query is looked up like one in the path: an id that cannot be one is not found.
STOREFRONT_FILTER = Param(
    "storefrontId", "Only this storefront's", {"type": "string", "pattern": STOREFRONT_ID.schema["pattern"]}
)
STOREFRONT_REQUIRED = replace(
    STOREFRONT_FILTER, description="The storefront whose stock to list", required=True
)
PRODUCT_STATUS_FILTER = Param(
    "status", "Only listings in this status", {"type": "string", "enum": list(get_args(ProductStatus))}
)
ORDER_STATUS_FILTER = Param(
    "status", "Only orders in this status", {"type": "string", "enum": list(get_args(OrderStatus))}
)
# Any string: a sku no listing sells (or could: one that is not a sku at all) gives an empty page.
SKU_FILTER = Param("sku", "Only this sku's item (an empty page when no listing sells it)", {"type": "string"})
