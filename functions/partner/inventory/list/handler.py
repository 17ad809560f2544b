"""GET /v1/inventory?storefrontId=sf_...: the storefront's inventory items by sku (``sku`` filters)."""

from fashionos.commerce.container import inventory_service
from fashionos.errors import InvalidRequest
from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response

SCOPE = "inventory:read"


def list_inventory(request: PartnerRequest) -> Response:
    storefront = request.query.get("storefrontId")
    if not storefront:
        raise InvalidRequest("storefrontId: the query parameter is required")
    limit, cursor = request.page()
    items, more = inventory_service().page(
        request.org_id, storefront, request.query.get("sku"), limit, cursor
    )
    return page_response([item.public() for item in items], more, cursor_field="sku")


lambda_handler = api_entrypoint(list_inventory, scope=SCOPE, query=(*PAGE, "storefrontId", "sku"))
