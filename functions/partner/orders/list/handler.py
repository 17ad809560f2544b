"""GET /v1/orders?storefrontId=&status=: the org's orders, oldest first (cursor pagination)."""

from fashionos.commerce import views
from fashionos.commerce.container import order_service
from fashionos.commerce.errors import StorefrontNotFound
from fashionos.commerce.params import ORDER_CURSOR, ORDER_STATUS_FILTER, STOREFRONT_FILTER
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List orders",
    scope="orders:read",
    query=(*page_params(ORDER_CURSOR), STOREFRONT_FILTER, ORDER_STATUS_FILTER),
    responses={200: Page(views.Order)},
    errors=(StorefrontNotFound,),
)


def list_orders(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    storefront, status = request.query.get("storefrontId"), request.query.get("status")
    orders, more = order_service().page(request.org_id, storefront, status, limit, cursor)
    return page_response([order.public() for order in orders], more)


lambda_handler = api_entrypoint(list_orders, OPERATION)
