"""POST /v1/assets/{asset_id}/download: a short-lived link to the file, recorded in the audit log."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import (
    AssetNotAvailable,
    AssetNotFound,
    GrantExpired,
    RightsExpired,
    TerritoryNotGranted,
    UsageNotGranted,
)
from fashionos.assets.params import ASSET_ID
from fashionos.assets.requests import DownloadCreate
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Download an asset",
    description="A presigned GET of the file, valid 5 minutes, as an attachment. For its owner; for "
    "another org, while one of its live grants on the asset (or its collection) covers `usage` and "
    "`territory`, within the asset's own rights: 403 `grant_expired`, `usage_not_granted`, "
    "`territory_not_granted` or `rights_expired` says which did not; an org with no grant gets 404. Each "
    "link handed out is recorded (who, use, territory, when): `GET /v1/assets/{asset_id}/downloads`.",
    scope="assets:read",
    path=(ASSET_ID,),
    body=DownloadCreate,
    responses={200: views.DownloadLink},
    errors=(
        AssetNotFound,
        AssetNotAvailable,
        GrantExpired,
        UsageNotGranted,
        TerritoryNotGranted,
        RightsExpired,
    ),
)


def download(request: PartnerRequest) -> Response:
    body = request.parse(DownloadCreate)
    link = asset_service().download(request.org_id, request.path("asset_id"), body, request.actor)
    result: views.DownloadLink = {"url": link.url, "expires_at": link.expires_at}
    return json_response(result)


lambda_handler = api_entrypoint(download, OPERATION)
