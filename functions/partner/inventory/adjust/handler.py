"""POST /v1/inventory/{storefront_id}/{sku}/adjustments: add ``delta`` to ``on_hand`` (409
``insufficient_stock`` if ``available`` would go negative)."""

from fashionos.commerce import views
from fashionos.commerce.container import inventory_service
from fashionos.commerce.errors import InsufficientStock, InventoryItemNotFound, StorefrontNotFound
from fashionos.commerce.inventory import Adjusted
from fashionos.commerce.params import SKU, STOREFRONT_ID
from fashionos.commerce.requests import InventoryAdjustment
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Adjust a sku's stock",
    description="Adds `delta` to `on_hand` and records the change; refused (409 `insufficient_stock`) when "
    "it would make `available` negative.",
    scope="inventory:write",
    path=(STOREFRONT_ID, SKU),
    body=InventoryAdjustment,
    responses={201: views.AdjustmentResult},
    errors=(StorefrontNotFound, InventoryItemNotFound, InsufficientStock, Contended),
)


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


lambda_handler = api_entrypoint(adjust, OPERATION)
