"""PATCH /v1/webhooks/{webhook_id}: change url, events, description or enabled (only the fields sent)."""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.requests import WebhookUpdate

SCOPE = "webhooks:manage"


def update(request: PartnerRequest) -> Response:
    changes = request.parse(WebhookUpdate)
    return json_response(
        webhook_service().update(request.org_id, request.path("webhook_id"), changes).public()
    )


lambda_handler = api_entrypoint(update, scope=SCOPE)
