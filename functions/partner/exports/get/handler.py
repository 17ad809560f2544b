"""GET /v1/exports/{export_id}: an export's status and, once written, a download link."""

from fashionos.contract import Operation
from fashionos.exports import views
from fashionos.exports.container import export_service
from fashionos.exports.errors import ExportNotFound
from fashionos.exports.params import EXPORT_ID
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get an export",
    description="Its status; once `succeeded`, `download_url`: a presigned GET of the zip, valid 5 minutes "
    "(`download_expires_at`; ask again for a new one). Check the file against `sha256`. An export is deleted "
    "7 days after it was asked for (`expires_at`).",
    scope="org:admin",
    path=(EXPORT_ID,),
    responses={200: views.Export},
    errors=(ExportNotFound,),
)


def get(request: PartnerRequest) -> Response:
    export, url, url_expires_at = export_service().get(request.org_id, request.path("export_id"))
    return json_response(export.public(url, url_expires_at))


lambda_handler = api_entrypoint(get, OPERATION)
