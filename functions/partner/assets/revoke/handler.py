"""DELETE /v1/assets/{asset_id}/grants/{grant_id}: the partner's access ends at once."""

from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound, GrantNotFound
from fashionos.assets.params import ASSET_ID, GRANT_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, no_content

OPERATION = Operation(
    "Revoke a grant on an asset",
    scope="assets:write",
    path=(ASSET_ID, GRANT_ID),
    responses={204: None},
    errors=(AssetNotFound, GrantNotFound),
)


def revoke(request: PartnerRequest) -> Response:
    asset_service().revoke(request.org_id, request.path("asset_id"), request.path("grant_id"))
    return no_content()


lambda_handler = api_entrypoint(revoke, OPERATION)
