"""GET /v1/assets/{asset_id}/downloads: the audit log of its downloads, newest first."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound
from fashionos.assets.params import ASSET_ID, DOWNLOAD_CURSOR
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List an asset's downloads",
    description="Every download link handed out (to its owner and to partners), newest first. Its owner's "
    "only.",
    scope="assets:read",
    path=(ASSET_ID,),
    query=page_params(DOWNLOAD_CURSOR),
    responses={200: Page(views.Download)},
    errors=(AssetNotFound,),
)


def downloads(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    found, more = asset_service().downloads(request.org_id, request.path("asset_id"), limit, cursor)
    return page_response([download.public() for download in found], more)


lambda_handler = api_entrypoint(downloads, OPERATION)
