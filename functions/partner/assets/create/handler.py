"""POST /v1/assets: declare an asset (its file, its rights) and get the presigned POST that uploads it."""

from fashionos.assets import views
from fashionos.assets.container import asset_service
from fashionos.assets.errors import CollectionNotFound
from fashionos.assets.requests import AssetCreate
from fashionos.assets.service import CreatedAsset
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Create an asset",
    description="Declares the file (name, type, size, SHA-256) and its rights, and answers `upload`: a "
    "presigned POST, valid 15 minutes, that S3 accepts for exactly that file, under a key this API chose. "
    "Send every one of `upload.fields`, then the file as `file` (`curl -F`). The confirm function then "
    "checks it (and that its first bytes are of its type): the asset becomes `available`, or `rejected` "
    "with a `rejection_reason` and the file deleted. Not uploaded in time: `expired`. The rights are "
    "recorded as the first entry of its history.",
    scope="assets:write",
    body=AssetCreate,
    responses={201: views.CreatedAsset},
    errors=(CollectionNotFound,),
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(AssetCreate)
    return created(asset_service().create(request.org_id, body, request.actor, request.claim(created)))


def created(result: CreatedAsset) -> Response:
    body: views.CreatedAsset = {
        **result.asset.public(),
        "upload": {
            "url": result.upload_url,
            "fields": result.upload_fields,
            "expires_at": result.asset.public()["upload_expires_at"],
        },
    }
    return json_response(body, status=201)


lambda_handler = api_entrypoint(create, OPERATION)
