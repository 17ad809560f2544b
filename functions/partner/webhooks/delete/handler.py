"""DELETE /v1/webhooks/{webhook_id}: nothing more is sent to it (deliveries under way are dropped)."""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, no_content
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.params import WEBHOOK_ID

OPERATION = Operation(
    "Delete a webhook",
    description="Nothing more is sent to it: deliveries under way are dropped.",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    responses={204: None},
    errors=(WebhookNotFound,),
)


def delete(request: PartnerRequest) -> Response:
    webhook_service().delete(request.org_id, request.path("webhook_id"))
    return no_content()


lambda_handler = api_entrypoint(delete, OPERATION)
