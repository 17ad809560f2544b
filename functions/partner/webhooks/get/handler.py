"""GET /v1/webhooks/{webhook_id}"""

from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks import views
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.params import WEBHOOK_ID

OPERATION = Operation(
    "Get a webhook",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    responses={200: views.Webhook},
    errors=(WebhookNotFound,),
)


def get(request: PartnerRequest) -> Response:
    return json_response(webhook_service().get(request.org_id, request.path("webhook_id")).public())


lambda_handler = api_entrypoint(get, OPERATION)
