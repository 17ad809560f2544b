"""POST /v1/inventory/{storefront_id}/{sku}/adjustments: add ``delta`` to ``on_hand`` (409
``insufficient_stock`` if ``available`` would go negative)."""

from fashionos.commerce.container import inventory_service
from fashionos.commerce.inventory import Adjusted
from fashionos.commerce.requests import InventoryAdjustment
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "inventory:write"


def adjust(request: PartnerRequest) -> Response:
    body = request.parse(InventoryAdjustment)
    storefront, sku = request.path("storefront_id"), request.path("sku")
    return adjusted(
        inventory_service().adjust(
            request.org_id, storefront, sku, body, request.actor, request.claim(adjusted)
        )
    )


def adjusted(result: Adjusted) -> Response:
    return json_response(result.public(), status=201)


lambda_handler = api_entrypoint(adjust, scope=SCOPE)
