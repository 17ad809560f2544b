"""POST /v1/webhooks/{webhook_id}/test: send the endpoint a signed ``ping`` event (202: it is on its way)."""

from fashionos.events.models import Event
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import delivery_service

SCOPE = "webhooks:manage"


def ping(request: PartnerRequest) -> Response:
    event = delivery_service().ping(request.org_id, request.path("webhook_id"), request.claim(sent))
    return sent(event)


def sent(event: Event) -> Response:
    return json_response(event.public(), status=202)


lambda_handler = api_entrypoint(ping, scope=SCOPE)
