"""POST /v1/orders: reserve the stock of every line at once (409 ``insufficient_stock`` naming the short
skus); prices come from the catalogue."""

from fashionos.commerce import views
from fashionos.commerce.container import order_service
from fashionos.commerce.errors import (
    InsufficientStock,
    ProductNotActive,
    StorefrontNotActive,
    StorefrontNotFound,
    TooManyChanges,
    UnknownSku,
)
from fashionos.commerce.orders import MAX_SKUS
from fashionos.commerce.records import Order
from fashionos.commerce.requests import OrderCreate
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Create an order",
    description="Reserves the stock of every line at once, or none (409 `insufficient_stock` names the "
    "short skus); prices come from the catalogue. Only an active storefront takes orders, of active "
    "listings only; every line's sku must be one the storefront sells, and an order holds at most "
    f"{MAX_SKUS} different skus (422 otherwise). An `affiliate_click_id` of one of the org's clicks "
    "(`fos_click`), inside its link's attribution window, converts in the order's own transaction: the "
    "order's total counts as the link's revenue and `affiliate.conversion` is emitted; any other click id "
    "is kept on the order, converting nothing.",
    scope="orders:write",
    body=OrderCreate,
    responses={201: views.Order},
    errors=(
        UnknownSku,
        TooManyChanges,
        StorefrontNotFound,
        StorefrontNotActive,
        ProductNotActive,
        InsufficientStock,
        Contended,
    ),
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(OrderCreate)
    return created(order_service().create(request.org_id, body, request.actor, request.claim(created)))


def created(order: Order) -> Response:
    return json_response(order.public(), status=201)


lambda_handler = api_entrypoint(create, OPERATION)
