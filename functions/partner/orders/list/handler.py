"""GET /v1/orders?storefrontId=&status=: the org's orders, oldest first (cursor pagination)."""

from fashionos.commerce.container import order_service
from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response

SCOPE = "orders:read"


def list_orders(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    storefront, status = request.query.get("storefrontId"), request.query.get("status")
    orders, more = order_service().page(request.org_id, storefront, status, limit, cursor)
    return page_response([order.public() for order in orders], more)


lambda_handler = api_entrypoint(list_orders, scope=SCOPE, query=(*PAGE, "storefrontId", "status"))
