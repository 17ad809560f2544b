"""POST /v1/webhooks/{webhook_id}/rotate-secret: a new signing secret (shown this once); the old one keeps
signing alongside it for 24 hours, so a receiver can switch without missing a delivery."""

from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.times import rfc3339
from fashionos.webhooks.container import webhook_service
from fashionos.webhooks.models import Webhook

SCOPE = "webhooks:manage"


def rotate_secret(request: PartnerRequest) -> Response:
    webhook = webhook_service().rotate_secret(
        request.org_id, request.path("webhook_id"), request.claim(rotated)
    )
    return rotated(webhook)


def rotated(webhook: Webhook) -> Response:
    return json_response(
        {
            **webhook.public(),
            "secret": webhook.secret,
            "previous_secret_expires_at": rfc3339(webhook.previous_secret_expires_at or 0),
        }
    )


lambda_handler = api_entrypoint(rotate_secret, scope=SCOPE)
