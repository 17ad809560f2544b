"""DELETE /v1/collections/{collection_id}/grants/{grant_id}: the partner's access ends at once."""

from fashionos.assets.container import asset_service
from fashionos.assets.errors import CollectionNotFound, GrantNotFound
from fashionos.assets.params import COLLECTION_ID, GRANT_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, no_content

OPERATION = Operation(
    "Revoke a grant on a collection",
    scope="assets:write",
    path=(COLLECTION_ID, GRANT_ID),
    responses={204: None},
    errors=(CollectionNotFound, GrantNotFound),
)


def revoke(request: PartnerRequest) -> Response:
    asset_service().revoke(request.org_id, request.path("collection_id"), request.path("grant_id"))
    return no_content()


lambda_handler = api_entrypoint(revoke, OPERATION)
