"""GET /v1/events: the org's events of the last 30 days, newest first; filters ``type``, ``since``,
``until``, ``delivery_success``."""

from fashionos.events.service import LIST_FILTERS
from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response
from fashionos.webhooks.container import event_service

SCOPE = "webhooks:manage"


def list_events(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    events, has_more = event_service().list(request.org_id, request.filters(), limit, cursor)
    return page_response([event.public() for event in events], has_more)


lambda_handler = api_entrypoint(list_events, scope=SCOPE, query=(*PAGE, *LIST_FILTERS))
