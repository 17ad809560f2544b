"""POST /v1/collections/{collection_id}/grants: let a partner org download within these rights."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import CollectionNotFound, GrantExceedsRights, PartnerNotFound, TooManyGrants
from fashionos.assets.params import COLLECTION_ID
from fashionos.assets.records import Grant
from fashionos.assets.requests import GrantCreate
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Grant a collection to a partner",
    description="The partner (an org id, or its `@handle`: 422 `partner_not_found` for none) may then "
    "read and download it for `usage` in `territories` until `expires_at` (default: the rights' "
    "expiry), within the rights of every asset in the collection (422 `grant_exceeds_rights` names "
    "the asset), and of each asset added later when it is downloaded. The partner's subscribers get "
    "`design.published` for each published asset in it now.",
    scope="assets:write",
    path=(COLLECTION_ID,),
    body=GrantCreate,
    responses={201: views.Grant},
    errors=(CollectionNotFound, GrantExceedsRights, PartnerNotFound, TooManyGrants),
)


def grant(request: PartnerRequest) -> Response:
    body = request.parse(GrantCreate)
    return created(
        asset_service().grant(request.org_id, request.path("collection_id"), body, request.claim(created))
    )


def created(result: Grant) -> Response:
    return json_response(result.public(), status=201)


lambda_handler = api_entrypoint(grant, OPERATION)
