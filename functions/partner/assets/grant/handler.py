"""POST /v1/assets/{asset_id}/grants: let a partner org download within these rights."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import AssetNotFound, GrantExceedsRights, PartnerNotFound, TooManyGrants
from fashionos.assets.params import ASSET_ID
from fashionos.assets.records import Grant
from fashionos.assets.requests import GrantCreate
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Grant an asset to a partner",
    description="The partner (an org id, or its `@handle`: 422 `partner_not_found` for none) may then "
    "read and download it for `usage` in `territories` until `expires_at` (default: the rights' "
    "expiry), within the asset's own rights (its uses, territories and expiry): 422 "
    "`grant_exceeds_rights` says what is beyond them. On a published asset, the partner's subscribers "
    "get `design.published` now.",
    scope="assets:write",
    path=(ASSET_ID,),
    body=GrantCreate,
    responses={201: views.Grant},
    errors=(AssetNotFound, GrantExceedsRights, PartnerNotFound, TooManyGrants),
)


def grant(request: PartnerRequest) -> Response:
    body = request.parse(GrantCreate)
    return created(
        asset_service().grant(request.org_id, request.path("asset_id"), body, request.claim(created))
    )


def created(result: Grant) -> Response:
    return json_response(result.public(), status=201)


lambda_handler = api_entrypoint(grant, OPERATION)
