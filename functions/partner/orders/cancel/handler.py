"""POST /v1/orders/{order_id}/cancel: created -> cancelled (the reservation is released); else 409."""

from fashionos.commerce.container import order_service
from fashionos.commerce.records import Order
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "orders:write"


def cancel(request: PartnerRequest) -> Response:
    request.parse_empty()
    order = order_service().cancel(
        request.org_id, request.path("order_id"), request.actor, request.claim(done)
    )
    return done(order)


def done(order: Order) -> Response:
    return json_response(order.public())


lambda_handler = api_entrypoint(cancel, scope=SCOPE)
