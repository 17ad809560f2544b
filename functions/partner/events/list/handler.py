"""GET /v1/events: the org's events of the last 30 days, newest first; filters ``type``, ``since``,
``until``, ``delivery_success``."""

from fashionos.contract import Operation, Page
from fashionos.events import views
from fashionos.events.models import EVENT_ID_PATTERN
from fashionos.events.params import EVENT_FILTERS
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response
from fashionos.webhooks.container import event_service

OPERATION = Operation(
    "List events",
    description="The org's events of the last 30 days, newest first; the filters apply together.",
    scope="webhooks:manage",
    query=(*page_params(EVENT_ID_PATTERN.pattern), *EVENT_FILTERS),
    responses={200: Page(views.Event)},
)


def list_events(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    events, has_more = event_service().list(request.org_id, request.filters(), limit, cursor)
    return page_response([event.public() for event in events], has_more)


lambda_handler = api_entrypoint(list_events, OPERATION)
