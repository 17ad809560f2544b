"""Webhook subscriptions on moto (the partner table from the template): ownership, SSRF at registration,
pagination, secret rotation. DNS is a fake resolver."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from pydantic import ValidationError

from fashionos.errors import InvalidRequest
from fashionos.events.models import EVENT_TYPES
from fashionos.webhooks.errors import WebhookNotFound
from fashionos.webhooks.requests import WebhookCreate, WebhookUpdate
from fashionos.webhooks.service import SECRET_OVERLAP_SECONDS, WebhookService
from fashionos.webhooks.store import WebhookStore
from fashionos.webhooks.urls import UnreachableWebhookUrl, UnsafeWebhookUrl
from tests.integration.conftest import InProcessApi

REFUSED = (UnsafeWebhookUrl, UnreachableWebhookUrl)  # malformed (400), or not public (422)

ORG, OTHER_ORG = "org_01M87S8AK48A5MMYRDNERFV0R5", "org_01M87S8AK48A5MMYRDNERFV0R6"
URL = "https://hooks.example.com/fashionos"


def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
    address = {"hooks.example.com": "93.184.216.34", "rebind.example.net": "10.0.0.7"}[host]
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def webhooks(stack: InProcessApi, clock: Clock) -> WebhookService:
    store = WebhookStore(stack.session.client("dynamodb"), stack.local.physical["PartnerTable"])
    return WebhookService(store, resolve=resolve, clock=clock)


def create(webhooks: WebhookService, org: str = ORG, **fields: Any) -> Any:
    body = {"url": URL, "events": ["order.created"], **fields}
    return webhooks.create(org, WebhookCreate.model_validate(body))


def test_a_new_subscription_is_enabled_with_a_secret_shown_once(webhooks: WebhookService) -> None:
    # when
    webhook = create(webhooks, events=["order.created", "product.updated"], description="orders")
    # then
    assert webhook.webhook_id.startswith("whk_")
    assert webhook.secret.startswith("whsec_")
    assert webhook.public() == {
        "id": webhook.webhook_id,
        "url": URL,
        "events": ["order.created", "product.updated"],
        "description": "orders",
        "status": "enabled",
        "disabled_reason": None,
        "created_at": webhook.created_at,
        "updated_at": webhook.created_at,
    }
    assert "secret" not in webhook.public()
    assert webhooks.get(ORG, webhook.webhook_id) == webhook


@pytest.mark.parametrize(
    "body",
    [
        {"url": URL, "events": ["order.shipped"]},
        {"url": URL, "events": []},
        {"url": URL, "events": "order.created"},
        {"url": URL},
        {"url": 1, "events": ["order.created"]},
        {"url": URL, "events": ["order.created"], "secret": "whsec_mine"},
        {"url": URL, "events": ["order.created"], "description": "x" * 501},
    ],
)
def test_bad_bodies_are_refused_by_the_model(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        WebhookCreate.model_validate(body)


def test_every_documented_event_type_is_known() -> None:
    assert set(EVENT_TYPES) == {
        "order.created",
        "order.fulfilled",
        "order.cancelled",
        "product.updated",
        "design.published",
        "affiliate.click",
        "affiliate.conversion",
        "tryon.session.created",
    }


@pytest.mark.parametrize(
    "url", ["https://rebind.example.net/x", "https://169.254.169.254/", "http://hooks.example.com/"]
)
def test_unsafe_urls_are_refused_and_nothing_is_written(webhooks: WebhookService, url: str) -> None:
    with pytest.raises(REFUSED):
        create(webhooks, url=url)
    assert webhooks.list(ORG) == ([], False)


def test_another_orgs_subscription_is_not_found(webhooks: WebhookService) -> None:
    # given
    theirs = create(webhooks, org=OTHER_ORG).webhook_id
    # when / then: the same answer as an id that never existed
    with pytest.raises(WebhookNotFound):
        webhooks.get(ORG, theirs)
    with pytest.raises(WebhookNotFound):
        webhooks.update(ORG, theirs, WebhookUpdate(enabled=False))
    with pytest.raises(WebhookNotFound):
        webhooks.rotate_secret(ORG, theirs)
    with pytest.raises(WebhookNotFound):
        webhooks.delete(ORG, theirs)
    assert webhooks.get(OTHER_ORG, theirs).status == "enabled"


@pytest.mark.parametrize("webhook_id", ["whk_nope", "../ORG", "", "whk_" + "0" * 26])
def test_malformed_or_unknown_ids_are_not_found(webhooks: WebhookService, webhook_id: str) -> None:
    with pytest.raises(WebhookNotFound):
        webhooks.get(ORG, webhook_id)


def test_an_update_changes_only_the_fields_given_and_rechecks_the_url(webhooks: WebhookService) -> None:
    # given
    webhook = create(webhooks, description="keep me")
    # when
    updated = webhooks.update(
        ORG, webhook.webhook_id, WebhookUpdate(events=["order.fulfilled"], enabled=False)
    )
    # then
    assert (updated.events, updated.status, updated.description) == (
        frozenset({"order.fulfilled"}),
        "disabled",
        "keep me",
    )
    assert updated.secret == webhook.secret
    with pytest.raises(UnreachableWebhookUrl):
        webhooks.update(ORG, webhook.webhook_id, WebhookUpdate(url="https://rebind.example.net/x"))
    assert webhooks.get(ORG, webhook.webhook_id) == updated


def test_pages_follow_the_cursor_in_creation_order(webhooks: WebhookService) -> None:
    # given
    ids = [create(webhooks).webhook_id for _ in range(5)]
    create(webhooks, org=OTHER_ORG)
    # when
    first, more = webhooks.list(ORG, limit=2)
    second, more_again = webhooks.list(ORG, limit=2, cursor=first[-1].webhook_id)
    last, no_more = webhooks.list(ORG, limit=2, cursor=second[-1].webhook_id)
    # then
    assert [w.webhook_id for w in first + second + last] == ids
    assert (more, more_again, no_more) == (True, True, False)


@pytest.mark.parametrize(("limit", "cursor"), [(10, "not-a-cursor"), (10, "whk_nope")])
def test_bad_page_parameters_are_refused(webhooks: WebhookService, limit: int, cursor: str | None) -> None:
    with pytest.raises(InvalidRequest):
        webhooks.list(ORG, limit=limit, cursor=cursor)


def test_a_rotated_secret_keeps_signing_for_24_hours(webhooks: WebhookService, clock: Clock) -> None:
    # given
    webhook = create(webhooks)
    # when
    rotated = webhooks.rotate_secret(ORG, webhook.webhook_id)
    # then
    stored = webhooks.get(ORG, webhook.webhook_id)
    assert rotated.secret != webhook.secret
    assert stored.signing_secrets(clock.now) == [rotated.secret, webhook.secret]
    assert stored.signing_secrets(clock.now + SECRET_OVERLAP_SECONDS + 1) == [rotated.secret]


def test_a_deleted_subscription_is_gone(webhooks: WebhookService) -> None:
    webhook = create(webhooks)
    webhooks.delete(ORG, webhook.webhook_id)
    with pytest.raises(WebhookNotFound):
        webhooks.get(ORG, webhook.webhook_id)
    with pytest.raises(WebhookNotFound):
        webhooks.delete(ORG, webhook.webhook_id)


# --- no lost updates: a change writes only its own fields, at the version it read ---------------------


def racing(webhooks: WebhookService, monkeypatch: pytest.MonkeyPatch, interloper: Any) -> None:
    """Make ``interloper`` write between the service's read and its first write (as a concurrent request
    or the delivery worker would)."""
    store = webhooks._store
    update = store.update
    raced = []

    def update_after_a_race(before: Any, after: Any, claim: Any = None) -> None:
        if not raced:
            raced.append(True)
            interloper()
        update(before, after, claim)

    monkeypatch.setattr(store, "update", update_after_a_race)


def test_a_patch_racing_a_rotation_keeps_both(
    webhooks: WebhookService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a rotation lands between the PATCH's read and its write
    webhook = create(webhooks)
    rotated: list[Any] = []
    other = WebhookService(webhooks._store, resolve=resolve)
    racing(webhooks, monkeypatch, lambda: rotated.append(other.rotate_secret(ORG, webhook.webhook_id)))
    # when
    patched = webhooks.update(ORG, webhook.webhook_id, WebhookUpdate(description="after"))
    # then: the PATCH was redone on the rotated subscription; neither change is lost
    stored = webhooks.get(ORG, webhook.webhook_id)
    assert (stored.description, stored.secret) == ("after", rotated[0].secret)
    assert stored.previous_secret == webhook.secret
    assert stored.version == patched.version == 3


def test_a_patch_keeps_the_workers_failure_streak_and_automatic_disable(
    webhooks: WebhookService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the delivery worker disables the endpoint between the PATCH's read and its write
    webhook = create(webhooks)
    store = webhooks._store
    disable = lambda: store.record_failure(webhook, 1_800_000_000, disable_reason="Failing for 5 days")  # noqa: E731
    racing(webhooks, monkeypatch, disable)
    # when
    webhooks.update(ORG, webhook.webhook_id, WebhookUpdate(description="renamed"))
    # then
    stored = webhooks.get(ORG, webhook.webhook_id)
    assert stored.description == "renamed"
    assert (stored.status, stored.disabled_reason, stored.failing_since) == (
        "disabled",
        "Failing for 5 days",
        1_800_000_000,
    )


def test_a_patch_that_changes_nothing_writes_nothing(webhooks: WebhookService) -> None:
    webhook = create(webhooks, description="same")
    assert webhooks.update(ORG, webhook.webhook_id, WebhookUpdate(description="same")) == webhook
    assert webhooks.get(ORG, webhook.webhook_id).version == 1


def test_the_workers_automatic_disable_loses_to_a_patch_made_since_it_read(webhooks: WebhookService) -> None:
    # given: the worker read the subscription, then a PATCH changed it
    read_by_the_worker = create(webhooks)
    webhooks.update(ORG, read_by_the_worker.webhook_id, WebhookUpdate(description="re-enabled"))
    # when: the worker decides from what it read that the endpoint has failed long enough
    webhooks._store.record_failure(read_by_the_worker, 1_800_000_000, disable_reason="Failing for 5 days")
    # then: the PATCH stands; nothing the worker decided from a stale read is written
    stored = webhooks.get(ORG, read_by_the_worker.webhook_id)
    assert (stored.status, stored.disabled_reason, stored.description) == ("enabled", None, "re-enabled")
