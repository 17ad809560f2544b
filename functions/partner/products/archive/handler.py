"""DELETE /v1/storefronts/{storefront_id}/products/{product_id}: archive the listing (it is kept)."""

from fashionos.commerce import views
from fashionos.commerce.container import product_service
from fashionos.commerce.errors import ProductNotFound, StorefrontNotActive, StorefrontNotFound
from fashionos.commerce.params import PRODUCT_ID, STOREFRONT_ID
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Archive a product",
    description="The listing is kept, archived: out of the storefront's `products_count`, and not orderable. "
    "Archiving an archived listing changes nothing.",
    scope="products:write",
    path=(STOREFRONT_ID, PRODUCT_ID),
    responses={200: views.Product},
    errors=(StorefrontNotFound, ProductNotFound, StorefrontNotActive, Contended),
    etag=True,
)


def archive(request: PartnerRequest) -> Response:
    storefront, product_id = request.path("storefront_id"), request.path("product_id")
    product = product_service().archive(request.org_id, storefront, product_id)
    return json_response(product.public(), version=product.version)


lambda_handler = api_entrypoint(archive, OPERATION)
