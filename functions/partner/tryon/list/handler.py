"""GET /v1/tryon/sessions?product_id=&status=&since=&until=: the org's sessions, newest first."""

from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response
from fashionos.tryon import views
from fashionos.tryon.container import tryon_service
from fashionos.tryon.params import SESSION_CURSOR, SESSION_FILTERS

OPERATION = Operation(
    "List try-on sessions",
    description="Newest first. `status=expired` finds active sessions whose 15 minutes are over.",
    scope="tryon:write",
    query=(*page_params(SESSION_CURSOR), *SESSION_FILTERS),
    responses={200: Page(views.Session)},
)


def list_sessions(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    sessions, more = tryon_service().page(request.org_id, request.filters(), limit, cursor)
    return page_response([session.public() for session in sessions], more)


lambda_handler = api_entrypoint(list_sessions, OPERATION)
