"""GET /v1/webhooks: the org's subscriptions, oldest first (cursor pagination)."""

from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response
from fashionos.webhooks import views
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.service import WEBHOOK_ID_PATTERN

OPERATION = Operation(
    "List webhooks",
    scope="webhooks:manage",
    query=page_params(WEBHOOK_ID_PATTERN.pattern),
    responses={200: Page(views.Webhook)},
)


def list_webhooks(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    webhooks, has_more = webhook_service().list(request.org_id, limit, cursor)
    return page_response([webhook.public() for webhook in webhooks], has_more)


lambda_handler = api_entrypoint(list_webhooks, OPERATION)
