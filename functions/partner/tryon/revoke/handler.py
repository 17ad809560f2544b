"""POST /v1/tryon/sessions/{session_id}/revoke: its session token stops working at once."""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.tryon import views
from fashionos.tryon.container import tryon_service
from fashionos.tryon.errors import SessionEnded, SessionNotFound
from fashionos.tryon.params import SESSION_ID

OPERATION = Operation(
    "Revoke a try-on session",
    description="A live session becomes `revoked` and its token is refused from then on (401); a session "
    "that already ended or expired is 409 `session_not_active`. It takes no body (or `{}`).",
    scope="tryon:write",
    path=(SESSION_ID,),
    responses={200: views.Session},
    errors=(SessionNotFound, SessionEnded),
)


def revoke(request: PartnerRequest) -> Response:
    request.parse_empty()
    return json_response(tryon_service().revoke(request.org_id, request.path("session_id")).public())


lambda_handler = api_entrypoint(revoke, OPERATION)
