"""Webhook subscriptions' errors."""

from fashionos.errors import Conflict, NotFound


class WebhookNotFound(NotFound):
    """No such webhook subscription in the caller's org (another org's id included)."""


class WebhookDisabled(Conflict):
    """The subscription is disabled (by its org, by a 410 Gone, or after failing for days): nothing is sent
    to it until it is enabled again."""

    code = "webhook_disabled"
