"""GET /tryon/v1/session: what the try-on front end loads with its session token (the session, the
product, the variant)."""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, bearer_entrypoint, json_response
from fashionos.tryon import views
from fashionos.tryon.container import SESSION_REQUESTS_PER_MINUTE, session_caller, tryon_service
from fashionos.tryon.errors import InvalidSessionToken
from fashionos.tryon.records import Session

OPERATION = Operation(
    "Load a try-on session (the try-on front end)",
    description="Authenticated by the session's token (`Authorization: Bearer <session_token>`), never by "
    "an access token; 401 once the session expired or was revoked. An ended session still loads (its "
    "status says how it ended).",
    responses={200: views.Experience},
    errors=(InvalidSessionToken,),
)


def load(request: PartnerRequest, session: Session) -> Response:
    public = tryon_service().product(session).public()
    variant = next((v for v in public["variants"] if v["sku"] == session.variant_sku), None)
    body: views.Experience = {
        "session": {
            "id": session.session_id,
            "type": session.type,
            "status": session.public_status(),
            "return_url": session.return_url,
            "locale": session.locale,
            "expires_at": session.expires_at,
        },
        "product": {
            "id": public["id"],
            "title": public["title"],
            "description": public["description"],
            "images": public["images"],
            "price": public["price"],
        },
        "variant": variant,
    }
    return json_response(body)


lambda_handler = bearer_entrypoint(load, session_caller, OPERATION, SESSION_REQUESTS_PER_MINUTE)
