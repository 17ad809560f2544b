"""GET /v1/storefronts/{storefront_id}/products/{product_id} (its version as the ETag)."""

from fashionos.commerce.container import product_service
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "storefronts:read"


def get(request: PartnerRequest) -> Response:
    product = product_service().get(request.org_id, request.path("storefront_id"), request.path("product_id"))
    return json_response(product.public(), version=product.version)


lambda_handler = api_entrypoint(get, scope=SCOPE)
