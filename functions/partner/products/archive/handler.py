"""DELETE /v1/storefronts/{storefront_id}/products/{product_id}: archive the listing (it is kept)."""

from fashionos.commerce.container import product_service
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "products:write"


def archive(request: PartnerRequest) -> Response:
    storefront, product_id = request.path("storefront_id"), request.path("product_id")
    product = product_service().archive(request.org_id, storefront, product_id)
    return json_response(product.public(), version=product.version)


lambda_handler = api_entrypoint(archive, scope=SCOPE)
