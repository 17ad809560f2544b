"""GET /v1/collections/{collection_id}/grants: every grant on it, oldest first."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import CollectionNotFound
from fashionos.assets.params import COLLECTION_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "List the grants on a collection",
    description="Expired grants too (`status: expired`), oldest first. Its owner's only.",
    scope="assets:read",
    path=(COLLECTION_ID,),
    responses={200: views.GrantList},
    errors=(CollectionNotFound,),
)


def grants(request: PartnerRequest) -> Response:
    found = asset_service().grants(request.org_id, request.path("collection_id"))
    return json_response({"data": [grant.public() for grant in found]})


lambda_handler = api_entrypoint(grants, OPERATION)
