"""POST /v1/events/{event_id}/replay {webhook_id?}: send the event again, with its original webhook-id (to
one endpoint, or to every enabled endpoint subscribed to its type)."""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import delivery_service
from fashionos.webhooks.requests import ReplayRequest

SCOPE = "webhooks:manage"


def replay(request: PartnerRequest) -> Response:
    event_id = request.path("event_id")
    target = request.parse(ReplayRequest, optional=True).webhook_id
    webhook_ids = delivery_service().replay(request.org_id, event_id, target)
    return json_response({"event_id": event_id, "webhook_ids": webhook_ids}, status=202)


lambda_handler = api_entrypoint(replay, scope=SCOPE)
