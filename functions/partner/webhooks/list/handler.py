"""GET /v1/webhooks: the org's subscriptions, oldest first (cursor pagination)."""

from fashionos.partner.http import PAGE, PartnerRequest, Response, api_entrypoint, page_response
from fashionos.webhooks.container import webhook_service

SCOPE = "webhooks:manage"


def list_webhooks(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    webhooks, has_more = webhook_service().list(request.org_id, limit, cursor)
    return page_response([webhook.public() for webhook in webhooks], has_more)


lambda_handler = api_entrypoint(list_webhooks, scope=SCOPE, query=PAGE)
