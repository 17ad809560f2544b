"""PUT /v1/inventory/{storefront_id}/{sku}: set ``on_hand``; with ``expected_on_hand``, a compare-and-set."""

from fashionos.commerce import views
from fashionos.commerce.container import inventory_service
from fashionos.commerce.errors import (
    InsufficientStock,
    InventoryItemNotFound,
    OnHandMismatch,
    StorefrontNotFound,
)
from fashionos.commerce.params import SKU, STOREFRONT_ID
from fashionos.commerce.requests import InventorySet
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Set a sku's stock",
    description="`on_hand` becomes the value sent (never below what orders hold: 409 `insufficient_stock`); "
    "with `expected_on_hand`, only if it is that now (409 `on_hand_mismatch`).",
    scope="inventory:write",
    path=(STOREFRONT_ID, SKU),
    body=InventorySet,
    responses={200: views.InventoryItem},
    errors=(StorefrontNotFound, InventoryItemNotFound, OnHandMismatch, InsufficientStock, Contended),
)


def set_stock(request: PartnerRequest) -> Response:
    body = request.parse(InventorySet)
    storefront, sku = request.path("storefront_id"), request.path("sku")
    item = inventory_service().set(request.org_id, storefront, sku, body, request.actor)
    return json_response(item.public())


lambda_handler = api_entrypoint(set_stock, OPERATION)
