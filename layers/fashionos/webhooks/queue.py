"""The delivery queue (SQS): one message per (event, endpoint) delivery; the only module of the delivery
path that talks to SQS."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

MAX_VISIBILITY_SECONDS = 12 * 3600 - 60  # SQS's limit is 12 h from the receive


@dataclass(frozen=True, slots=True)
class DeliveryMessage:
    org_id: str
    webhook_id: str
    event_id: str
    event_type: str
    payload: str  # the event's envelope, byte for byte what is signed and sent
    replay: bool = False  # sent again on request: deliver even if it was delivered before

    def body(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def parse(cls, body: str) -> DeliveryMessage:
        """``ValueError`` (or ``TypeError``) for anything this module did not write."""
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("A delivery message is a JSON object")
        return cls(**data)


class DeliveryQueue:
    def __init__(self, client: SQSClient, url: str) -> None:
        self._sqs = client
        self._url = url

    def send(self, messages: Sequence[DeliveryMessage]) -> None:
        """Enqueue every message (in batches of 10); ``RuntimeError`` if SQS refused any."""
        for start in range(0, len(messages), 10):
            batch = messages[start : start + 10]
            result = self._sqs.send_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(i), "MessageBody": m.body()} for i, m in enumerate(batch)],
            )
            if result.get("Failed"):
                raise RuntimeError(
                    f"SQS refused {len(result['Failed'])} delivery messages: {result['Failed'][0]}"
                )

    def hide(self, receipt_handle: str, seconds: int) -> None:
        """Make a received message visible again in ``seconds`` (the next attempt's delay)."""
        self._sqs.change_message_visibility(
            QueueUrl=self._url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(seconds, MAX_VISIBILITY_SECONDS)),
        )
