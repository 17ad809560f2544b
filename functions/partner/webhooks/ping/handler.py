"""POST /v1/webhooks/{webhook_id}/test: send the endpoint a signed ``ping`` event (202: it is on its way)."""

from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.events import views
from fashionos.events.models import Event
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import delivery_service
from fashionos.webhooks.errors import WebhookDisabled, WebhookNotFound
from fashionos.webhooks.params import WEBHOOK_ID

OPERATION = Operation(
    "Test a webhook",
    description="Sends the endpoint a signed `ping` event, to it only: the answer is the event, on its way "
    "(its delivery attempts are in `GET /v1/webhooks/{webhook_id}/deliveries`).",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    responses={202: views.Event},
    errors=(WebhookNotFound, WebhookDisabled, Contended),
)


def ping(request: PartnerRequest) -> Response:
    event = delivery_service().ping(request.org_id, request.path("webhook_id"), request.claim(sent))
    return sent(event)


def sent(event: Event) -> Response:
    return json_response(event.public(), status=202)


lambda_handler = api_entrypoint(ping, OPERATION)
