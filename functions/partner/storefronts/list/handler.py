"""GET /v1/storefronts: the caller org's storefronts, oldest first (cursor pagination)."""

from fashionos.commerce import views
from fashionos.commerce.container import storefront_service
from fashionos.commerce.params import STOREFRONT_CURSOR
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List storefronts",
    scope="storefronts:read",
    query=page_params(STOREFRONT_CURSOR),
    responses={200: Page(views.Storefront)},
)


def list_storefronts(request: PartnerRequest) -> Response:
    storefronts, has_more = storefront_service().page(request.org_id, *request.page())
    return page_response([storefront.public() for storefront in storefronts], has_more)


lambda_handler = api_entrypoint(list_storefronts, OPERATION)
