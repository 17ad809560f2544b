"""POST /v1/webhooks/{webhook_id}/recover {since, until?}: send again every event of the window whose
delivery to the endpoint failed (after it was down, or disabled and enabled again)."""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import delivery_service
from fashionos.webhooks.requests import RecoverRequest

SCOPE = "webhooks:manage"


def recover(request: PartnerRequest) -> Response:
    webhook_id = request.path("webhook_id")
    event_ids = delivery_service().recover(request.org_id, webhook_id, request.parse(RecoverRequest))
    return json_response({"webhook_id": webhook_id, "event_ids": event_ids}, status=202)


lambda_handler = api_entrypoint(recover, scope=SCOPE)
