"""GET /v1/events/{event_id}"""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import event_service

SCOPE = "webhooks:manage"


def get(request: PartnerRequest) -> Response:
    return json_response(event_service().get(request.org_id, request.path("event_id")).public())


lambda_handler = api_entrypoint(get, scope=SCOPE)
