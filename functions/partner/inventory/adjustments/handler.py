"""GET /v1/inventory/{storefront_id}/{sku}/adjustments: every change of the sku's stock, oldest first."""

from fashionos.commerce.container import inventory_service
from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response

SCOPE = "inventory:read"


def list_adjustments(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    storefront, sku = request.path("storefront_id"), request.path("sku")
    adjustments, more = inventory_service().adjustments(request.org_id, storefront, sku, limit, cursor)
    return page_response([adjustment.public() for adjustment in adjustments], more)


lambda_handler = api_entrypoint(list_adjustments, scope=SCOPE, query=PAGE)
