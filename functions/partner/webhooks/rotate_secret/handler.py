"""POST /v1/webhooks/{webhook_id}/rotate-secret: a new signing secret (shown this once); the old one keeps
signing alongside it for 24 hours, so a receiver can switch without missing a delivery."""

from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.times import rfc3339
from fashionos.webhooks import views
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.params import WEBHOOK_ID

OPERATION = Operation(
    "Rotate a webhook's signing secret",
    description="The new secret is in this response only; the old one keeps signing alongside it for 24 "
    "hours, so a receiver can switch without missing a delivery.",
    scope="webhooks:manage",
    path=(WEBHOOK_ID,),
    responses={200: views.RotatedWebhook},
    errors=(WebhookNotFound, Contended),
)


def rotate_secret(request: PartnerRequest) -> Response:
    webhook = webhook_service().rotate_secret(
        request.org_id, request.path("webhook_id"), request.claim(rotated)
    )
    return rotated(webhook)


def rotated(webhook: Webhook) -> Response:
    body: views.RotatedWebhook = {
        **webhook.public(),
        "secret": webhook.secret,
        "previous_secret_expires_at": rfc3339(webhook.previous_secret_expires_at or 0),
    }
    return json_response(body)


lambda_handler = api_entrypoint(rotate_secret, OPERATION)
