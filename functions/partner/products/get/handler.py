"""GET /v1/storefronts/{storefront_id}/products/{product_id} (its version as the ETag)."""

from fashionos.commerce import views
from fashionos.commerce.container import product_service
from fashionos.commerce.errors import ProductNotFound, StorefrontNotFound
from fashionos.commerce.params import PRODUCT_ID, STOREFRONT_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get a product",
    scope="storefronts:read",
    path=(STOREFRONT_ID, PRODUCT_ID),
    responses={200: views.Product},
    errors=(StorefrontNotFound, ProductNotFound),
    etag=True,
)


def get(request: PartnerRequest) -> Response:
    product = product_service().get(request.org_id, request.path("storefront_id"), request.path("product_id"))
    return json_response(product.public(), version=product.version)


lambda_handler = api_entrypoint(get, OPERATION)
