"""PATCH /v1/assets/{asset_id}: its title, collection or rights (a rights change is recorded)."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound, CollectionNotFound
from fashionos.assets.params import ASSET_ID
from fashionos.assets.requests import AssetUpdate
from fashionos.commerce.errors import VersionMismatch
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Update an asset",
    description="Only the fields given change; `rights` replaces the rights whole, and the change (who, "
    "when, before, after) is added to `GET /v1/assets/{asset_id}/history`. Grants stay as they are, and "
    "every download is held to the rights as they are then. With `If-Match` (the `ETag` of a read), 412 "
    "if it changed since.",
    scope="assets:write",
    path=(ASSET_ID,),
    body=AssetUpdate,
    responses={200: views.Asset},
    errors=(AssetNotFound, CollectionNotFound, VersionMismatch),
    if_match=True,
    etag=True,
)


def update(request: PartnerRequest) -> Response:
    body = request.parse(AssetUpdate)
    asset = asset_service().update(
        request.org_id, request.path("asset_id"), body, request.actor, request.if_match()
    )
    return json_response(asset.public(), version=asset.version)


lambda_handler = api_entrypoint(update, OPERATION)
