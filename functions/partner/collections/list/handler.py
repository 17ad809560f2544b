"""GET /v1/collections: the org's collections, newest first."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.params import COLLECTION_CURSOR
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List collections",
    scope="assets:read",
    query=page_params(COLLECTION_CURSOR),
    responses={200: Page(views.Collection)},
)


def list_collections(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    collections, more = asset_service().collections_page(request.org_id, limit, cursor)
    return page_response([collection.public() for collection in collections], more)


lambda_handler = api_entrypoint(list_collections, OPERATION)
