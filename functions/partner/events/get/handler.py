"""GET /v1/events/{event_id}"""

from fashionos.contract import Operation
from fashionos.events import views
from fashionos.events.errors import EventNotFound
from fashionos.events.params import EVENT_ID
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import event_service

OPERATION = Operation(
    "Get an event",
    scope="webhooks:manage",
    path=(EVENT_ID,),
    responses={200: views.Event},
    errors=(EventNotFound,),
)


def get(request: PartnerRequest) -> Response:
    return json_response(event_service().get(request.org_id, request.path("event_id")).public())


lambda_handler = api_entrypoint(get, OPERATION)
