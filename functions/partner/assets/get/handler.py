"""GET /v1/assets/{asset_id}: one of the org's assets, or one another org granted it."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound
from fashionos.assets.params import ASSET_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get an asset",
    description="The org's own, or another org's while the caller holds a live grant on it (404 "
    "otherwise, as for an unknown id).",
    scope="assets:read",
    path=(ASSET_ID,),
    responses={200: views.Asset},
    errors=(AssetNotFound,),
    etag=True,
)


def get(request: PartnerRequest) -> Response:
    asset = asset_service().get(request.org_id, request.path("asset_id"))
    return json_response(asset.public(), version=asset.version)


lambda_handler = api_entrypoint(get, OPERATION)
