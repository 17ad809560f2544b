"""Webhook subscriptions and their delivery log as the API answers them: each record's ``public()`` returns
one of these (mypy holds the code to them) and the OpenAPI documents take their schemas from them."""

from __future__ import annotations

from typing import Literal, TypedDict

from fashionos.events.views import AnyEventType, EventType

WebhookStatus = Literal["enabled", "disabled"]
Outcome = Literal["succeeded", "retrying", "failed"]


class Webhook(TypedDict):
    """An endpoint of the org: every event of its ``events`` types is signed and POSTed to its ``url``
    while it is ``enabled``. ``disabled_reason`` says why it is ``disabled`` (by its org, after a 410
    Gone, or after failing for 5 days); null while enabled. Its signing secret is never shown again."""

    id: str
    url: str
    events: list[EventType]
    description: str | None
    status: WebhookStatus
    disabled_reason: str | None
    created_at: str
    updated_at: str


class WebhookWithSecret(Webhook):
    """The new subscription, with the secret that signs its deliveries (``whsec_...``): shown this once."""

    secret: str


class RotatedWebhook(WebhookWithSecret):
    """The subscription with its new signing secret (shown this once); until ``previous_secret_expires_at``
    each delivery carries a signature by the previous one too."""

    previous_secret_expires_at: str


class Attempt(TypedDict):
    """One attempt to deliver an event to the endpoint: ``retrying`` (the next at ``next_attempt_at``), or
    the last of the delivery (``succeeded``, ``failed``). ``status_code`` is null when no HTTP response came
    (an address refused, a connection error, a timeout; ``error`` says which); ``response`` is the first KB
    of the response body."""

    id: str
    webhook_id: str
    event_id: str
    event_type: AnyEventType
    attempt: int  # 1 for the first attempt of a delivery (or of a replay), then 2, 3, ...
    attempted_at: str
    duration_ms: int
    status_code: int | None
    response: str
    error: str | None
    outcome: Outcome
    next_attempt_at: str | None


class WebhookRecovery(TypedDict):
    """The events of the window whose delivery to the endpoint had failed: on their way to it again."""

    webhook_id: str
    event_ids: list[str]
