"""GET /v1/webhooks/{webhook_id}/deliveries: every delivery attempt to the endpoint, newest first."""

from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response
from fashionos.webhooks.container import delivery_service

SCOPE = "webhooks:manage"


def deliveries(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    attempts, has_more = delivery_service().attempts(
        request.org_id, request.path("webhook_id"), limit, cursor
    )
    return page_response([attempt.public() for attempt in attempts], has_more)


lambda_handler = api_entrypoint(deliveries, scope=SCOPE, query=PAGE)
