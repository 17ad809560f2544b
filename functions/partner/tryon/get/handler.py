"""GET /v1/tryon/sessions/{session_id}."""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.tryon import views
from fashionos.tryon.container import tryon_service
from fashionos.tryon.errors import SessionNotFound
from fashionos.tryon.params import SESSION_ID

OPERATION = Operation(
    "Get a try-on session",
    scope="tryon:write",
    path=(SESSION_ID,),
    responses={200: views.Session},
    errors=(SessionNotFound,),
)


def get(request: PartnerRequest) -> Response:
    return json_response(tryon_service().get(request.org_id, request.path("session_id")).public())


lambda_handler = api_entrypoint(get, OPERATION)
