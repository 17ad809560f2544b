"""One delivery attempt of one event to one endpoint, and what follows from its result: the attempt log,
the retry schedule, the endpoint's health, the event's delivery status.

The caller (the SQS-triggered delivery function) passes the message's receive count as the attempt
number: attempt ``n`` that fails is retried after ``schedule[n]`` seconds (jittered), by hiding the message
that long; attempt ``len(schedule)`` is the last, after which the queue moves the message to its DLQ.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fashionos.events.models import RETENTION_SECONDS
from fashionos.events.store import EventStore
from fashionos.ids import prefixed_id
from fashionos.observability import logger
from fashionos.times import rfc3339
from fashionos.webhooks import sender
from fashionos.webhooks.deliveries import Attempt, DeliveryLog, Outcome
from fashionos.webhooks.models import Webhook
from fashionos.webhooks.queue import MAX_VISIBILITY_SECONDS, DeliveryMessage
from fashionos.webhooks.signing import signed_headers
from fashionos.webhooks.store import WebhookStore
from fashionos.webhooks.urls import (
    Resolver,
    UnreachableWebhookUrl,
    UnsafeWebhookUrl,
    parse_endpoint_url,
    resolve_public,
    system_resolve,
)

DISABLE_AFTER_SECONDS = 5 * 24 * 3600  # an endpoint failing continuously this long is disabled
JITTER = 0.1  # each delay varies by up to ±10%, so retries of many deliveries do not arrive in step
GONE = 410
HONOURS_RETRY_AFTER = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class Next:
    """What the queue does with the message: delete it (``done``), or show it again in ``delay`` seconds
    (a retry; or the DLQ, when it was the last attempt)."""

    done: bool
    delay: int = 0


DONE = Next(done=True)


class DeliveryWorker:
    def __init__(
        self,
        webhooks: WebhookStore,
        log: DeliveryLog,
        events: EventStore,
        *,
        schedule: Sequence[int],
        allow_loopback: bool = False,
        resolve: Resolver = system_resolve,
        send: Callable[..., sender.HttpResult] | None = None,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._webhooks = webhooks
        self._log = log
        self._events = events
        self._schedule = tuple(schedule)
        self._allow_loopback = allow_loopback
        self._resolve = resolve
        self._send = send
        self._clock = clock
        self._jitter = jitter

    def deliver(self, message: DeliveryMessage, attempt: int) -> Next:
        webhook = self._webhooks.get(message.org_id, message.webhook_id)
        if webhook is None:
            logger.info(
                "Webhook deleted; delivery dropped", webhook_id=message.webhook_id, event_id=message.event_id
            )
            return DONE
        status = self._log.status(webhook.webhook_id, message.event_id)
        if status == "succeeded" and not message.replay:
            return DONE  # a duplicate message (fan-out retried): the receiver already has it
        now = self._clock()
        if webhook.status != "enabled":
            self._end(webhook, message, "failed", status, now)  # recoverable once it is enabled again
            return DONE
        result = self._attempt(webhook, message, now)
        succeeded = result.status is not None and 200 <= result.status < 300
        last = attempt >= len(self._schedule)
        disable_reason = None if succeeded else self._disable_reason(webhook, result, now)
        delay = None if succeeded or last or disable_reason else self._delay(attempt, result)
        outcome: Outcome = "succeeded" if succeeded else "retrying" if delay is not None else "failed"
        self._log.record(
            Attempt(
                attempt_id=prefixed_id("atm"),
                webhook_id=webhook.webhook_id,
                event_id=message.event_id,
                event_type=message.event_type,
                attempt=attempt,
                attempted_at=rfc3339(now),
                duration_ms=result.duration_ms,
                status_code=result.status,
                response=result.response,
                error=result.error,
                outcome=outcome,
                next_attempt_at=rfc3339(now + delay) if delay is not None else None,
            ),
            expires_at=math.ceil(now + RETENTION_SECONDS),
        )
        if succeeded:
            if webhook.failing_since is not None:
                self._webhooks.record_success(webhook)
        else:
            self._webhooks.record_failure(webhook, int(now), disable_reason=disable_reason)
            if disable_reason:
                logger.warning("Webhook disabled", webhook_id=webhook.webhook_id, reason=disable_reason)
        if outcome == "retrying":
            assert delay is not None
            return Next(done=False, delay=delay)
        self._end(webhook, message, outcome, status, now)
        # The last attempt's message goes on to the dead-letter queue; a disabled endpoint's is deleted.
        return Next(done=False) if last and not succeeded and not disable_reason else DONE

    def _attempt(self, webhook: Webhook, message: DeliveryMessage, now: float) -> sender.HttpResult:
        """Check the URL again (DNS may have changed since registration), then POST to the addresses
        checked; an address that is not allowed is never contacted."""
        try:
            endpoint = parse_endpoint_url(webhook.url)
            addresses = resolve_public(endpoint, allow_loopback=self._allow_loopback, resolve=self._resolve)
        except (UnsafeWebhookUrl, UnreachableWebhookUrl) as error:
            return sender.HttpResult(
                status=None, duration_ms=0, response="", error=f"Not sent: {error.message}"
            )
        body = message.payload.encode()
        headers = signed_headers(webhook.signing_secrets(now), message.event_id, int(now), body)
        send = self._send or sender.post  # looked up per call: a test may replace it
        return send(endpoint, addresses, headers, body)

    def _disable_reason(self, webhook: Webhook, result: sender.HttpResult, now: float) -> str | None:
        if result.status == GONE:
            return "The endpoint answered 410 Gone"
        failing_since = webhook.failing_since if webhook.failing_since is not None else now
        if now - failing_since >= DISABLE_AFTER_SECONDS:
            return "Every delivery failed for 5 days"
        return None

    def _delay(self, attempt: int, result: sender.HttpResult) -> int:
        scheduled = self._schedule[attempt] * self._jitter(1 - JITTER, 1 + JITTER)
        if result.status in HONOURS_RETRY_AFTER and result.retry_after is not None:
            scheduled = max(scheduled, result.retry_after)
        return min(round(scheduled), MAX_VISIBILITY_SECONDS)

    def _end(
        self,
        webhook: Webhook,
        message: DeliveryMessage,
        outcome: Outcome,
        previous: str | None,
        now: float,
    ) -> None:
        """Record where the delivery ended; the event lists the endpoints it failed to reach."""
        assert outcome != "retrying"
        self._log.set_status(
            webhook.webhook_id, message.event_id, outcome, math.ceil(now + RETENTION_SECONDS)
        )
        if outcome == "failed" or previous == "failed":
            self._events.mark_delivery(
                message.org_id, message.event_id, webhook.webhook_id, failed=outcome == "failed"
            )
