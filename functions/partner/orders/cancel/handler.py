"""POST /v1/orders/{order_id}/cancel: created -> cancelled (the reservation is released); else 409."""

from fashionos.commerce import views
from fashionos.commerce.container import order_service
from fashionos.commerce.errors import OrderNotFound, OrderStateConflict
from fashionos.commerce.params import ORDER_ID
from fashionos.commerce.records import Order
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Cancel an order",
    description="A `created` order becomes `cancelled` and its reserved stock is released; any other is "
    "409 `order_state`. It takes no body (or `{}`).",
    scope="orders:write",
    path=(ORDER_ID,),
    responses={200: views.Order},
    errors=(OrderNotFound, OrderStateConflict, Contended),
)


def cancel(request: PartnerRequest) -> Response:
    request.parse_empty()
    order = order_service().cancel(
        request.org_id, request.path("order_id"), request.actor, request.claim(done)
    )
    return done(order)


def done(order: Order) -> Response:
    return json_response(order.public())


lambda_handler = api_entrypoint(cancel, OPERATION)
