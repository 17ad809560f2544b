"""GET /v1/orders/{order_id}"""

from fashionos.commerce.container import order_service
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "orders:read"


def get(request: PartnerRequest) -> Response:
    return json_response(order_service().get(request.org_id, request.path("order_id")).public())


lambda_handler = api_entrypoint(get, scope=SCOPE)
