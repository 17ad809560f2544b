"""POST /v1/assets/{asset_id}/publish: the asset is published, and its partners told."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotAvailable, AssetNotFound
from fashionos.assets.params import ASSET_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Publish an asset",
    description="An `available` asset becomes `published`, and `design.published` goes to the org's "
    "subscribers and to those of every org holding a live grant on it or its collection (with that "
    "grant). Publishing a published asset changes nothing; one without an accepted file is 409 "
    "`asset_not_available`. It takes no body (or `{}`).",
    scope="assets:write",
    path=(ASSET_ID,),
    responses={200: views.Asset},
    errors=(AssetNotFound, AssetNotAvailable),
)


def publish(request: PartnerRequest) -> Response:
    request.parse_empty()
    asset = asset_service().publish(request.org_id, request.path("asset_id"))
    return json_response(asset.public(), version=asset.version)


lambda_handler = api_entrypoint(publish, OPERATION)
