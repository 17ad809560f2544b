"""PUT /v1/inventory/{storefront_id}/{sku}: set ``on_hand``; with ``expected_on_hand``, a compare-and-set."""

from fashionos.commerce.container import inventory_service
from fashionos.commerce.requests import InventorySet
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "inventory:write"


def set_stock(request: PartnerRequest) -> Response:
    body = request.parse(InventorySet)
    storefront, sku = request.path("storefront_id"), request.path("sku")
    item = inventory_service().set(request.org_id, storefront, sku, body, request.actor)
    return json_response(item.public())


lambda_handler = api_entrypoint(set_stock, scope=SCOPE)
