"""GET /v1/inventory/{storefront_id}/{sku}/adjustments: every change of the sku's stock, oldest first."""

from fashionos.commerce import views
from fashionos.commerce.container import inventory_service
from fashionos.commerce.errors import InventoryItemNotFound, StorefrontNotFound
from fashionos.commerce.params import ADJUSTMENT_CURSOR, SKU, STOREFRONT_ID
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List a sku's stock adjustments",
    scope="inventory:read",
    path=(STOREFRONT_ID, SKU),
    query=page_params(ADJUSTMENT_CURSOR),
    responses={200: Page(views.Adjustment)},
    errors=(StorefrontNotFound, InventoryItemNotFound),
)


def list_adjustments(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    storefront, sku = request.path("storefront_id"), request.path("sku")
    adjustments, more = inventory_service().adjustments(request.org_id, storefront, sku, limit, cursor)
    return page_response([adjustment.public() for adjustment in adjustments], more)


lambda_handler = api_entrypoint(list_adjustments, OPERATION)
