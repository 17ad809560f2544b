"""POST /v1/orders: reserve the stock of every line at once (409 ``insufficient_stock`` naming the short
skus); prices come from the catalogue."""

from fashionos.commerce.container import order_service
from fashionos.commerce.records import Order
from fashionos.commerce.requests import OrderCreate
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "orders:write"


def create(request: PartnerRequest) -> Response:
    body = request.parse(OrderCreate)
    return created(order_service().create(request.org_id, body, request.actor, request.claim(created)))


def created(order: Order) -> Response:
    return json_response(order.public(), status=201)


lambda_handler = api_entrypoint(create, scope=SCOPE)
