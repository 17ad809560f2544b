"""PATCH /v1/storefronts/{storefront_id}: name, description, visibility, status (only the fields sent)."""

from fashionos.commerce.container import storefront_service
from fashionos.commerce.requests import StorefrontUpdate
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "storefronts:write"


def update(request: PartnerRequest) -> Response:
    changes = request.parse(StorefrontUpdate)
    storefront = storefront_service().update(request.org_id, request.path("storefront_id"), changes)
    return json_response(storefront.public())


lambda_handler = api_entrypoint(update, scope=SCOPE)
