"""DELETE /v1/webhooks/{webhook_id}: nothing more is sent to it (deliveries under way are dropped)."""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, no_content
from fashionos.webhooks.container import webhook_service

SCOPE = "webhooks:manage"


def delete(request: PartnerRequest) -> Response:
    webhook_service().delete(request.org_id, request.path("webhook_id"))
    return no_content()


lambda_handler = api_entrypoint(delete, scope=SCOPE)
