"""GET /v1/storefronts/{storefront_id}/products: listings, oldest first; ``status`` filters."""

from fashionos.commerce.container import product_service
from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response

SCOPE = "storefronts:read"


def list_products(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    storefront = request.path("storefront_id")
    products, more = product_service().page(
        request.org_id, storefront, request.query.get("status"), limit, cursor
    )
    return page_response([product.public() for product in products], more)


lambda_handler = api_entrypoint(list_products, scope=SCOPE, query=(*PAGE, "status"))
