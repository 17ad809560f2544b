"""PATCH /v1/webhooks/{webhook_id}: change url, events, description or enabled (only the fields sent)."""

from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks import views
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.params import WEBHOOK_ID
from fashionos.webhooks.requests import WebhookUpdate
from fashionos.webhooks.urls import UnreachableWebhookUrl, UnsafeWebhookUrl

OPERATION = Operation(
    "Update a webhook",
    description="Enabling a disabled webhook clears its failure streak; deliveries that failed meanwhile "
    "can be sent again with `POST /v1/webhooks/{webhook_id}/recover`.",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    body=WebhookUpdate,
    responses={200: views.Webhook},
    errors=(WebhookNotFound, UnsafeWebhookUrl, UnreachableWebhookUrl, Contended),
)


def update(request: PartnerRequest) -> Response:
    changes = request.parse(WebhookUpdate)
    return json_response(
        webhook_service().update(request.org_id, request.path("webhook_id"), changes).public()
    )


lambda_handler = api_entrypoint(update, OPERATION)
