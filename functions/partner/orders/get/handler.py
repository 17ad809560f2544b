"""GET /v1/orders/{order_id}"""

from fashionos.commerce import views
from fashionos.commerce.container import order_service
from fashionos.commerce.errors import OrderNotFound
from fashionos.commerce.params import ORDER_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get an order",
    scope="orders:read",
    path=(ORDER_ID,),
    responses={200: views.Order},
    errors=(OrderNotFound,),
)


def get(request: PartnerRequest) -> Response:
    return json_response(order_service().get(request.org_id, request.path("order_id")).public())


lambda_handler = api_entrypoint(get, OPERATION)
