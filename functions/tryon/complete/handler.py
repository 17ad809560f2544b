"""POST /tryon/v1/session/complete: the try-on front end reports how the session ended, once."""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, bearer_entrypoint, json_response
from fashionos.tryon import views
from fashionos.tryon.container import SESSION_REQUESTS_PER_MINUTE, session_caller, tryon_service
from fashionos.tryon.errors import InvalidSessionToken, SessionEnded
from fashionos.tryon.records import Session
from fashionos.tryon.requests import SessionComplete

OPERATION = Operation(
    "End a try-on session (the try-on front end)",
    description="`completed` (the shopper tried the product on) or `abandoned`, once: a session that "
    "already ended is 409 `session_not_active`. Authenticated by the session's token; 401 once it "
    "expired or was revoked.",
    body=SessionComplete,
    responses={200: views.Session},
    errors=(InvalidSessionToken, SessionEnded),
)


def complete(request: PartnerRequest, session: Session) -> Response:
    body = request.parse(SessionComplete)
    return json_response(tryon_service().complete(session, body.outcome, body.duration_ms).public())


lambda_handler = bearer_entrypoint(complete, session_caller, OPERATION, SESSION_REQUESTS_PER_MINUTE)
