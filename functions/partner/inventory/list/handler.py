"""GET /v1/inventory?storefrontId=sf_...: the storefront's inventory items by sku (``sku`` filters)."""

import re

from fashionos.commerce import views
from fashionos.commerce.container import inventory_service
from fashionos.commerce.errors import StorefrontNotFound
from fashionos.commerce.params import INVENTORY_CURSOR, SKU_FILTER, STOREFRONT_REQUIRED
from fashionos.contract import Operation, Page
from fashionos.errors import InvalidRequest
from fashionos.ids import checked_cursor
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List a storefront's inventory",
    description="Its sellable skus, by sku; with `sku`, that sku's item alone (an empty page when no "
    "listing sells it).",
    scope="inventory:read",
    query=(STOREFRONT_REQUIRED, SKU_FILTER, *page_params(INVENTORY_CURSOR)),
    responses={200: Page(views.InventoryItem)},
    errors=(StorefrontNotFound,),
)
CURSOR = re.compile(INVENTORY_CURSOR)


def list_inventory(request: PartnerRequest) -> Response:
    storefront = request.query.get("storefrontId")
    if not storefront:
        raise InvalidRequest("storefrontId: the query parameter is required")
    limit, cursor = request.page()
    sku = request.query.get("sku")
    if sku is not None:  # the one-sku page takes no cursor, but refuses one that no page could answer
        checked_cursor(CURSOR, cursor)
    items, more = inventory_service().page(request.org_id, storefront, sku, limit, cursor)
    return page_response([item.public() for item in items], more, cursor_field="sku")


lambda_handler = api_entrypoint(list_inventory, OPERATION)
