"""GET /v1/webhooks/{webhook_id}"""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import webhook_service

SCOPE = "webhooks:manage"


def get(request: PartnerRequest) -> Response:
    return json_response(webhook_service().get(request.org_id, request.path("webhook_id")).public())


lambda_handler = api_entrypoint(get, scope=SCOPE)
