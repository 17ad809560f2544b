"""DELETE /v1/assets/{asset_id}: the file, the asset, its grants and records, gone."""

from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound
from fashionos.assets.params import ASSET_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, no_content

OPERATION = Operation(
    "Delete an asset",
    description="Deletes the file (every version of it), the asset, its history and download records, "
    "and revokes every grant on it.",
    scope="assets:write",
    path=(ASSET_ID,),
    responses={204: None},
    errors=(AssetNotFound,),
)


def delete(request: PartnerRequest) -> Response:
    asset_service().delete(request.org_id, request.path("asset_id"))
    return no_content()


lambda_handler = api_entrypoint(delete, OPERATION)
