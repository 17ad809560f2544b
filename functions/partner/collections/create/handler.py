"""POST /v1/collections: a collection of the org's assets (a season, a drop)."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.records import Collection
from fashionos.assets.requests import CollectionCreate
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Create a collection",
    description="Assets join it by `collection_id` (at creation, or by PATCH); an asset is in at most one. "
    "A grant on the collection covers each of its assets.",
    scope="assets:write",
    body=CollectionCreate,
    responses={201: views.Collection},
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(CollectionCreate)
    return created(asset_service().create_collection(request.org_id, body, request.claim(created)))


def created(result: Collection) -> Response:
    return json_response(result.public(), status=201)


lambda_handler = api_entrypoint(create, OPERATION)
