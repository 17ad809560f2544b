"""GET /v1/assets/{asset_id}/history: every change of its rights, newest first."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound
from fashionos.assets.params import ASSET_ID, CHANGE_CURSOR
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List an asset's rights changes",
    description="Newest first; the oldest is its creation (`before: null`). Its owner's only.",
    scope="assets:read",
    path=(ASSET_ID,),
    query=page_params(CHANGE_CURSOR),
    responses={200: Page(views.RightsChange)},
    errors=(AssetNotFound,),
)


def history(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    changes, more = asset_service().history(request.org_id, request.path("asset_id"), limit, cursor)
    return page_response([change.public() for change in changes], more)


lambda_handler = api_entrypoint(history, OPERATION)
