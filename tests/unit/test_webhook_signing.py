"""Our webhook signatures, checked by the reference receiver: the ``standardwebhooks`` library."""

from __future__ import annotations

import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from fashionos.webhooks.signing import new_secret, signed_headers

BODY = json.dumps({"id": "evt_1", "type": "ping", "data": {}}).encode()


def test_a_receiver_with_the_secret_accepts_the_delivery() -> None:
    secret = new_secret()
    headers = signed_headers([secret], "msg_1", int(time.time()), BODY)
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)


def test_secrets_are_whsec_base64_of_32_random_bytes() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_")
    assert len(first) == len("whsec_") + 44
    assert first != second


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = new_secret(), new_secret()
    headers = signed_headers([new, old], "msg_1", int(time.time()), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)


def test_a_tampered_body_is_rejected() -> None:
    secret = new_secret()
    headers = signed_headers([secret], "msg_1", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"ping", b"pong"), headers)


def test_a_wrong_secret_is_rejected() -> None:
    headers = signed_headers([new_secret()], "msg_1", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_a_timestamp_older_than_five_minutes_is_rejected() -> None:
    secret = new_secret()
    headers = signed_headers([secret], "msg_1", int(time.time()) - 301, BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers)


def test_the_id_and_timestamp_are_signed_too() -> None:
    secret = new_secret()
    headers = signed_headers([secret], "msg_1", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_2"})
