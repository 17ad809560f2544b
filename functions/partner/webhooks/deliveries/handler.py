"""GET /v1/webhooks/{webhook_id}/deliveries: every delivery attempt to the endpoint, newest first."""

from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response
from fashionos.webhooks import views
from fashionos.webhooks.container import delivery_service
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.params import WEBHOOK_ID
from fashionos.webhooks.service import ATTEMPT_ID_PATTERN

OPERATION = Operation(
    "List a webhook's delivery attempts",
    description="Every attempt of the last 30 days to deliver an event to the endpoint, newest first.",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    query=page_params(ATTEMPT_ID_PATTERN.pattern),
    responses={200: Page(views.Attempt)},
    errors=(WebhookNotFound,),
)


def deliveries(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    attempts, has_more = delivery_service().attempts(
        request.org_id, request.path("webhook_id"), limit, cursor
    )
    return page_response([attempt.public() for attempt in attempts], has_more)


lambda_handler = api_entrypoint(deliveries, OPERATION)
