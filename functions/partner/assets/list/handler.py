"""GET /v1/assets?shared=: the org's assets (or those other orgs granted it), newest first."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.params import ASSET_CURSOR, SHARED
from fashionos.contract import Operation, Page
from fashionos.errors import InvalidRequest
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List assets",
    description="The org's own assets, newest first; `shared=true`: the assets other orgs hold a live "
    "grant for the caller on (the asset or its collection).",
    scope="assets:read",
    query=(*page_params(ASSET_CURSOR), SHARED),
    responses={200: Page(views.Asset)},
)


def list_assets(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    shared = request.query.get("shared", "false")
    if shared not in ("true", "false"):
        raise InvalidRequest("shared must be true or false")
    service = asset_service()
    page = service.shared_page if shared == "true" else service.page
    assets, more = page(request.org_id, limit, cursor)
    return page_response([asset.public() for asset in assets], more)


lambda_handler = api_entrypoint(list_assets, OPERATION)
