"""GET /v1/collections/{collection_id}: the collection with its assets."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import CollectionNotFound
from fashionos.assets.params import COLLECTION_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get a collection",
    description="With every asset in it, newest first.",
    scope="assets:read",
    path=(COLLECTION_ID,),
    responses={200: views.CollectionWithAssets},
    errors=(CollectionNotFound,),
)


def get(request: PartnerRequest) -> Response:
    collection, assets = asset_service().collection_assets(request.org_id, request.path("collection_id"))
    body: views.CollectionWithAssets = {**collection.public(), "assets": [a.public() for a in assets]}
    return json_response(body)


lambda_handler = api_entrypoint(get, OPERATION)
