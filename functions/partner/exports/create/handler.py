"""POST /v1/exports: start an export of everything stored about the caller's org."""

from fashionos.contract import Operation
from fashionos.exports import views
from fashionos.exports.container import export_service
from fashionos.exports.errors import ExportInProgress
from fashionos.exports.records import Export
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Start an export of the org's data",
    description="Everything stored about the caller's org — its profile, clients (never their secrets), "
    "storefronts, products, inventory history, orders, try-on sessions, affiliate links and clicks, "
    "Design Vault assets (metadata and files), webhooks (never their secrets) and delivery logs — written "
    "as one zip (a JSON file per area, and the asset files). Answers 202 with the `pending` export; poll "
    "`GET /v1/exports/{export_id}` until it is `succeeded` and download it. One export of an org runs at a "
    "time (409 `export_in_progress`). It takes no body (or `{}`).",
    scope="org:admin",
    responses={202: views.Export},
    errors=(ExportInProgress,),
    location=True,
)


def create(request: PartnerRequest) -> Response:
    request.parse_empty()

    def started(export: Export) -> Response:
        # absolute: a path alone would lose the stage of an execute-api URL (https://<domain>/<stage>)
        location = f"{request.base_url}/v1/exports/{export.export_id}"
        response = json_response(export.public(), status=202)
        return Response(202, {**response.headers, "Location": location}, response.body)

    return started(export_service().start(request.org_id, request.actor, request.claim(started)))


lambda_handler = api_entrypoint(create, OPERATION)
