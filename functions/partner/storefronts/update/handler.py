"""PATCH /v1/storefronts/{storefront_id}: name, description, visibility, status (only the fields sent)."""

from fashionos.commerce import views
from fashionos.commerce.container import storefront_service
from fashionos.commerce.errors import StorefrontNotFound
from fashionos.commerce.params import STOREFRONT_ID
from fashionos.commerce.requests import StorefrontUpdate
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Update a storefront",
    scope="storefronts:write",
    path=(STOREFRONT_ID,),
    body=StorefrontUpdate,
    responses={200: views.Storefront},
    errors=(StorefrontNotFound, Contended),
)


def update(request: PartnerRequest) -> Response:
    changes = request.parse(StorefrontUpdate)
    storefront = storefront_service().update(request.org_id, request.path("storefront_id"), changes)
    return json_response(storefront.public())


lambda_handler = api_entrypoint(update, OPERATION)
