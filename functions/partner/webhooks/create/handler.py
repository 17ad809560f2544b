"""POST /v1/webhooks: subscribe an endpoint; the answer holds its signing secret, shown this once."""

from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.webhooks import views
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.requests import WebhookCreate
from fashionos.webhooks.urls import UnreachableWebhookUrl, UnsafeWebhookUrl

OPERATION = Operation(
    "Create a webhook",
    description="Its `secret` signs every delivery (Standard Webhooks): it is in this response only.",
    scope="webhooks:manage",
    body=WebhookCreate,
    responses={201: views.WebhookWithSecret},
    errors=(UnsafeWebhookUrl, UnreachableWebhookUrl, Contended),
)


def create(request: PartnerRequest) -> Response:
    webhook = webhook_service().create(request.org_id, request.parse(WebhookCreate), request.claim(created))
    return created(webhook)


def created(webhook: Webhook) -> Response:
    body: views.WebhookWithSecret = {**webhook.public(), "secret": webhook.secret}
    return json_response(body, status=201)


lambda_handler = api_entrypoint(create, OPERATION)
