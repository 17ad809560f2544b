"""POST /v1/webhooks: subscribe an endpoint; the answer holds its signing secret, shown this once."""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.requests import WebhookCreate

SCOPE = "webhooks:manage"


def create(request: PartnerRequest) -> Response:
    webhook = webhook_service().create(request.org_id, request.parse(WebhookCreate), request.claim(created))
    return created(webhook)


def created(webhook: Webhook) -> Response:
    return json_response({**webhook.public(), "secret": webhook.secret}, status=201)


lambda_handler = api_entrypoint(create, scope=SCOPE)
