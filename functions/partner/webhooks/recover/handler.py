"""POST /v1/webhooks/{webhook_id}/recover {since, until?}: send again every event of the window whose
delivery to the endpoint failed (after it was down, or disabled and enabled again)."""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks import views
from fashionos.webhooks.container import delivery_service
from fashionos.webhooks.errors import WebhookDisabled, WebhookNotFound
from fashionos.webhooks.params import WEBHOOK_ID
from fashionos.webhooks.requests import RecoverRequest

OPERATION = Operation(
    "Recover a webhook's failed deliveries",
    description="Sends again every event created in [`since`, `until`] (of the 30 days kept) whose "
    "delivery to the endpoint failed: after it was down, or disabled and enabled again.",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    body=RecoverRequest,
    responses={202: views.WebhookRecovery},
    errors=(WebhookNotFound, WebhookDisabled),
)


def recover(request: PartnerRequest) -> Response:
    webhook_id = request.path("webhook_id")
    event_ids = delivery_service().recover(request.org_id, webhook_id, request.parse(RecoverRequest))
    body: views.WebhookRecovery = {"webhook_id": webhook_id, "event_ids": event_ids}
    return json_response(body, status=202)


lambda_handler = api_entrypoint(recover, OPERATION)
