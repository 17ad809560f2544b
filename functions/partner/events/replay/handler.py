"""POST /v1/events/{event_id}/replay {webhook_id?}: send the event again, with its original webhook-id (to
one endpoint, or to every enabled endpoint subscribed to its type)."""

from fashionos.contract import Operation
from fashionos.events import views
from fashionos.events.errors import EventNotFound
from fashionos.events.params import EVENT_ID
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import delivery_service
from fashionos.webhooks.errors import WebhookDisabled, WebhookNotFound
from fashionos.webhooks.requests import ReplayRequest

OPERATION = Operation(
    "Replay an event",
    description="Sends the event again with its original id (receivers de-duplicate by `webhook-id`): to "
    "`webhook_id`, or without one (or without a body) to every enabled webhook subscribed to its type.",
    scope="webhooks:manage",
    path=(EVENT_ID,),
    body=ReplayRequest,
    body_required=False,
    responses={202: views.EventReplay},
    errors=(EventNotFound, WebhookNotFound, WebhookDisabled),
)


def replay(request: PartnerRequest) -> Response:
    event_id = request.path("event_id")
    target = request.parse(ReplayRequest, optional=True).webhook_id
    webhook_ids = delivery_service().replay(request.org_id, event_id, target)
    body: views.EventReplay = {"event_id": event_id, "webhook_ids": webhook_ids}
    return json_response(body, status=202)


lambda_handler = api_entrypoint(replay, OPERATION)
