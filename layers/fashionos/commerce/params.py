"""The path and query parameters of the commerce routes, declared once for every route that takes them."""

from __future__ import annotations

from typing import get_args

from fashionos.commerce.records import SKU_PATTERN
from fashionos.commerce.views import OrderStatus, ProductStatus
from fashionos.contract import Param, id_param

STOREFRONT_ID = id_param("storefront_id", "sf", "storefront")
PRODUCT_ID = id_param("product_id", "prd", "product")
ORDER_ID = id_param("order_id", "ord", "order")
SKU = Param(
    "sku",
    "The sellable sku (a variant's, or the product's own)",
    {"type": "string", "pattern": f"^{SKU_PATTERN}$"},
    required=True,
)

STOREFRONT_FILTER = Param("storefrontId", "Only this storefront's", {"type": "string"})
PRODUCT_STATUS_FILTER = Param(
    "status", "Only listings in this status", {"enum": list(get_args(ProductStatus))}
)
ORDER_STATUS_FILTER = Param("status", "Only orders in this status", {"enum": list(get_args(OrderStatus))})
