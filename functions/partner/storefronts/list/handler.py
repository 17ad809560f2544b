"""GET /v1/storefronts: the caller org's storefronts, oldest first (cursor pagination)."""

from fashionos.commerce.container import storefront_service
from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response

SCOPE = "storefronts:read"


def list_storefronts(request: PartnerRequest) -> Response:
    storefronts, has_more = storefront_service().page(request.org_id, *request.page())
    return page_response([storefront.public() for storefront in storefronts], has_more)


lambda_handler = api_entrypoint(list_storefronts, scope=SCOPE, query=PAGE)
