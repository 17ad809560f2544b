"""POST /v1/tryon/sessions: start a try-on of an active listing; it counts one AR or AI try-on on the org's
Dashboard counters, and answers the session token and launch URL the try-on front end opens."""

from fashionos.commerce.errors import ProductNotActive, ProductNotFound, UnknownSku
from fashionos.contract import Operation
from fashionos.destinations import DestinationNotAllowed
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.tryon import views
from fashionos.tryon.container import tryon_service
from fashionos.tryon.errors import TryOnNotEnabled
from fashionos.tryon.requests import SessionCreate
from fashionos.tryon.service import CreatedSession

OPERATION = Operation(
    "Start a try-on session",
    description="For a type (AR, AI) the org is approved for (403 `tryon_not_enabled` otherwise), of an "
    "active listing of one of its storefronts (404 unknown, 409 not active) and, if given, one of its "
    "variants (422). It counts one try-on on the org's Dashboard counters, as "
    "`increase-tryon-usage-count` does, with the same `warnings` once the plan's limit is passed; the "
    "session, the count and `tryon.session.created` commit together. `return_url` must be https on one "
    "of the org's registered domains (422 `destination_not_allowed`). Open `launch_url` (or hand "
    "`session_token` to your own front end): the token is valid 15 minutes.",
    scope="tryon:write",
    body=SessionCreate,
    responses={201: views.CreatedSession},
    errors=(
        TryOnNotEnabled,
        ProductNotFound,
        ProductNotActive,
        UnknownSku,
        DestinationNotAllowed,
        Contended,
    ),
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(SessionCreate)
    result = tryon_service().create(
        request.org_id, body, request.actor, request.base_url, request.claim(created)
    )
    return created(result)


def created(result: CreatedSession) -> Response:
    body: views.CreatedSession = {
        **result.session.public(),  # type: ignore[typeddict-item]
        "session_token": result.session_token,
        "launch_url": result.launch_url,
    }
    if result.warnings:
        body["warnings"] = result.warnings
    return json_response(body, status=201)


lambda_handler = api_entrypoint(create, OPERATION)
