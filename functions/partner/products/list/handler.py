"""GET /v1/storefronts/{storefront_id}/products: listings, oldest first; ``status`` filters."""

from fashionos.commerce import views
from fashionos.commerce.container import product_service
from fashionos.commerce.errors import StorefrontNotFound
from fashionos.commerce.params import PRODUCT_CURSOR, PRODUCT_STATUS_FILTER, STOREFRONT_ID
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List a storefront's products",
    scope="storefronts:read",
    path=(STOREFRONT_ID,),
    query=(*page_params(PRODUCT_CURSOR), PRODUCT_STATUS_FILTER),
    responses={200: Page(views.Product)},
    errors=(StorefrontNotFound,),
)


def list_products(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    storefront = request.path("storefront_id")
    products, more = product_service().page(
        request.org_id, storefront, request.query.get("status"), limit, cursor
    )
    return page_response([product.public() for product in products], more)


lambda_handler = api_entrypoint(list_products, OPERATION)
