"""The Partner API's webhook and event routes over HTTP, in-process on moto through the dev gateway (sandbox
stage, the demo org's sandbox key, which holds every scope): subscriptions from creation to deletion and
their pages, bad input, SSRF at registration, another org's ids, scopes, the headers of every answer, test
pings and the event log's filters. DNS is a fake resolver; nothing here runs the delivery worker."""

from __future__ import annotations

import base64
import functools
import json
import re
import socket
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from fashionos.webhooks import container
from fashionos.webhooks.service import WebhookService
from tests.helpers import Reply, basic, business_items, problem
from tests.integration.conftest import InProcessApi
from tests.integration.partner_calls import call, ok

WEBHOOKS = "/v1/webhooks"
EVENTS = "/v1/events"
HOOK_URL = "https://hooks.example.com/fashionos"
OTHER_URL = "https://hooks.example.org/v2/inbox"
WEBHOOK_FIELDS = {
    "id",
    "url",
    "events",
    "description",
    "status",
    "disabled_reason",
    "created_at",
    "updated_at",
}
WEBHOOK_ID = re.compile(r"whk_[0-9A-HJKMNP-TV-Z]{26}")
EVENT_ID = re.compile(r"evt_[0-9A-HJKMNP-TV-Z]{26}")
UNKNOWN_WEBHOOK = "whk_01JZZZZZZZZZZZZZZZZZZZZZZZ"
UNKNOWN_EVENT = "evt_01JZZZZZZZZZZZZZZZZZZZZZZZ"
DAY = 24 * 3600

# What the fake resolver answers; any other name does not resolve (as offline, or NXDOMAIN).
ADDRESSES = {
    "hooks.example.com": ["93.184.216.34"],
    "hooks.example.org": ["2606:2800:220:1:248:1893:25c8:1946"],
    "localhost": ["127.0.0.1", "::1"],
    "internal.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "mixed.example.com": ["93.184.216.34", "10.1.2.3"],
    "mapped.example.com": ["::ffff:10.1.2.3"],
}


def resolve(host: str, port: int, *_: Any, **__: Any) -> list[tuple[Any, ...]]:
    if host not in ADDRESSES:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
        if ":" in address
        else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
        for address in ADDRESSES[host]
    ]


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every container's WebhookService resolves names with the fake resolver. (Patching
    ``socket.getaddrinfo`` would not reach it: the service binds the resolver as a default argument.)"""
    monkeypatch.setattr(container, "WebhookService", functools.partial(WebhookService, resolve=resolve))


# --- calling the API -------------------------------------------------------------------------------------
def created(
    stack: InProcessApi, url: str = HOOK_URL, *, key: str | None = None, **fields: Any
) -> dict[str, Any]:
    reply = call(stack, "POST", WEBHOOKS, {"url": url, "events": ["order.created"], **fields}, key=key)
    assert reply.status == 201, reply.text
    body: dict[str, Any] = reply.json
    return body


def pinged(stack: InProcessApi, webhook_id: str, *, key: str | None = None) -> dict[str, Any]:
    reply = call(stack, "POST", f"{WEBHOOKS}/{webhook_id}/test", key=key)
    assert reply.status == 202, reply.text
    body: dict[str, Any] = reply.json
    return body


def detail(reply: Reply, status: int) -> str:
    """The problem's ``detail``, which must say what is wrong."""
    text = problem(reply, status).get("detail")
    assert isinstance(text, str), reply.text
    assert text.strip(), reply.text
    return text


def query(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}"


def epoch(value: Any) -> float:
    """Epoch seconds of an RFC 3339 UTC date-time, as the API writes every time."""
    assert isinstance(value, str), value
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value).timestamp()


def rfc3339(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- what the stack holds ------------------------------------------------------------------------------
def stored(stack: InProcessApi) -> list[dict[str, Any]]:
    """Every item of the partner and event tables, but rate-limit windows."""
    dynamodb = stack.session.client("dynamodb")
    physical = stack.local.physical
    return business_items(dynamodb, physical["PartnerTable"]) + business_items(
        dynamodb, physical["EventTable"]
    )


def webhook_items(stack: InProcessApi) -> list[dict[str, Any]]:
    return [item for item in stored(stack) if item["sk"]["S"].startswith("WEBHOOK#")]


def queued(stack: InProcessApi) -> list[dict[str, Any]]:
    """The delivery messages waiting in the queue (received, so hidden for 30 s: call once per test)."""
    sqs = stack.session.client("sqs")
    url = stack.local.physical["WebhookDeliveryQueue"]
    messages: list[dict[str, Any]] = []
    while True:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        batch = received.get("Messages", [])
        if not batch:
            break
        messages += [json.loads(message["Body"]) for message in batch]
    return messages


@pytest.fixture
def limited_token(stack: InProcessApi) -> str:
    """An access token of the demo org's client that holds only profile:read."""
    demo = stack.demo
    reply = stack.call(
        "/oauth/token",
        {"grant_type": "client_credentials"},
        headers=basic(demo["limited_client_id"], demo["limited_client_secret"]),
    )
    assert reply.status == 200, reply.text
    token: str = reply.json["access_token"]
    return token


# --- 1. subscriptions from creation to deletion -----------------------------------------------------------
def test_a_new_webhook_answers_201_with_its_secret_shown_this_once(stack: InProcessApi) -> None:
    # given
    before = time.time()
    body = {"url": HOOK_URL, "events": ["product.updated", "order.created"], "description": "orders"}
    # when
    reply = call(stack, "POST", WEBHOOKS, body)
    # then
    webhook = ok(reply, 201)
    assert set(webhook) == WEBHOOK_FIELDS | {"secret"}
    assert WEBHOOK_ID.fullmatch(webhook["id"])
    assert (webhook["url"], webhook["events"], webhook["description"]) == (
        HOOK_URL,
        ["order.created", "product.updated"],
        "orders",
    )
    assert (webhook["status"], webhook["disabled_reason"]) == ("enabled", None)
    assert webhook["created_at"] == webhook["updated_at"]
    assert before - 1 <= epoch(webhook["created_at"]) <= time.time() + 1
    assert webhook["secret"].startswith("whsec_")
    assert len(base64.b64decode(webhook["secret"].removeprefix("whsec_"), validate=True)) == 32
    # and no other answer shows the secret
    public = {name: value for name, value in webhook.items() if name != "secret"}
    assert ok(call(stack, "GET", f"{WEBHOOKS}/{webhook['id']}")) == public
    assert ok(call(stack, "GET", WEBHOOKS))["data"] == [public]
    assert webhook["secret"] not in call(stack, "PATCH", f"{WEBHOOKS}/{webhook['id']}", {}).text


def test_a_json_content_type_with_parameters_is_accepted(stack: InProcessApi) -> None:
    body = json.dumps({"url": HOOK_URL, "events": ["order.created"]}).encode()
    reply = call(stack, "POST", WEBHOOKS, raw=body, **{"Content-Type": "application/json; charset=utf-8"})
    assert ok(reply, 201)["url"] == HOOK_URL


def test_two_webhooks_get_different_secrets(stack: InProcessApi) -> None:
    assert created(stack)["secret"] != created(stack)["secret"]


def test_a_webhook_without_a_description_has_a_null_one(stack: InProcessApi) -> None:
    webhook = created(stack)
    assert webhook["description"] is None
    assert ok(call(stack, "GET", f"{WEBHOOKS}/{webhook['id']}"))["description"] is None


def test_patch_changes_only_the_fields_sent(stack: InProcessApi) -> None:
    # given
    webhook = created(stack, description="keep me")
    path = f"{WEBHOOKS}/{webhook['id']}"
    # when
    reply = call(stack, "PATCH", path, {"events": ["order.fulfilled", "design.published"]})
    # then
    updated = ok(reply)
    assert set(updated) == WEBHOOK_FIELDS  # no secret
    assert updated["events"] == ["design.published", "order.fulfilled"]
    assert (updated["url"], updated["description"], updated["status"]) == (HOOK_URL, "keep me", "enabled")
    assert updated["created_at"] == webhook["created_at"]
    assert epoch(updated["updated_at"]) >= epoch(webhook["updated_at"])
    assert ok(call(stack, "GET", path)) == updated


def test_patch_moves_the_endpoint_to_another_safe_url(stack: InProcessApi) -> None:
    webhook = created(stack)
    path = f"{WEBHOOKS}/{webhook['id']}"
    updated = ok(call(stack, "PATCH", path, {"url": OTHER_URL, "description": "v2"}))
    assert (updated["url"], updated["description"], updated["events"]) == (OTHER_URL, "v2", ["order.created"])
    assert ok(call(stack, "GET", path))["url"] == OTHER_URL


def test_patch_disables_and_enables_again(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    path = f"{WEBHOOKS}/{webhook['id']}"
    # when
    disabled = ok(call(stack, "PATCH", path, {"enabled": False}))
    # then
    assert disabled["status"] == "disabled"
    assert isinstance(disabled["disabled_reason"], str)
    assert disabled["disabled_reason"]
    assert ok(call(stack, "GET", path)) == disabled
    # when
    enabled = ok(call(stack, "PATCH", path, {"enabled": True}))
    # then
    assert (enabled["status"], enabled["disabled_reason"]) == ("enabled", None)
    assert ok(call(stack, "GET", path)) == enabled


def test_delete_answers_204_and_the_webhook_is_gone(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    path = f"{WEBHOOKS}/{webhook['id']}"
    # when
    reply = call(stack, "DELETE", path)
    # then
    assert reply.status == 204, reply.text
    assert reply.text == ""
    problem(call(stack, "GET", path), 404)
    problem(call(stack, "DELETE", path), 404)
    problem(call(stack, "PATCH", path, {"description": "x"}), 404)
    assert ok(call(stack, "GET", WEBHOOKS)) == {"data": [], "has_more": False, "next_cursor": None}
    assert webhook_items(stack) == []


def test_rotate_secret_answers_a_new_secret_and_when_the_old_one_stops_signing(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    path = f"{WEBHOOKS}/{webhook['id']}"
    # when
    reply = call(stack, "POST", f"{path}/rotate-secret")
    # then
    rotated = ok(reply)
    assert set(rotated) == WEBHOOK_FIELDS | {"secret", "previous_secret_expires_at"}
    assert rotated["id"] == webhook["id"]
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != webhook["secret"]
    assert len(base64.b64decode(rotated["secret"].removeprefix("whsec_"), validate=True)) == 32
    # a time in a body is RFC 3339 UTC, like created_at (DESIGN.md "Conventions")
    assert abs(epoch(rotated["previous_secret_expires_at"]) - (time.time() + DAY)) <= 60
    shown = call(stack, "GET", path)
    assert rotated["secret"] not in shown.text
    assert webhook["secret"] not in shown.text
    assert set(shown.json) == WEBHOOK_FIELDS


def test_pages_of_two_cover_five_webhooks_in_creation_order(stack: InProcessApi, other_key: str) -> None:
    # given: five webhooks of ours, one of another org
    ids = [created(stack, description=str(n))["id"] for n in range(5)]
    created(stack, key=other_key)
    # when
    pages = []
    cursor: str | None = None
    for _ in range(3):
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = ok(call(stack, "GET", query(WEBHOOKS, **params)))
        pages.append(page)
        cursor = page["next_cursor"]
    # then
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert [page["next_cursor"] for page in pages] == [ids[1], ids[3], None]
    listed = [webhook["id"] for page in pages for webhook in page["data"]]
    assert listed == ids  # oldest first, no duplicates, no other org's
    assert all(set(webhook) == WEBHOOK_FIELDS for page in pages for webhook in page["data"])
    # and the same cursor gives the same page again
    assert ok(call(stack, "GET", query(WEBHOOKS, limit="2", cursor=ids[1]))) == pages[1]
    assert ok(call(stack, "GET", WEBHOOKS))["data"] == [w for page in pages for w in page["data"]]


def test_a_page_exactly_full_says_there_is_no_more(stack: InProcessApi) -> None:
    ids = [created(stack)["id"] for _ in range(2)]
    page = ok(call(stack, "GET", query(WEBHOOKS, limit="2")))
    assert ([w["id"] for w in page["data"]], page["has_more"], page["next_cursor"]) == (ids, False, None)


# --- 2. bad input: a 4xx problem that says what is wrong, and nothing written ------------------------------
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("raw", "headers", "status", "says"),
    [
        (b'{"url": "https://hooks.example.com/x", "events": ', JSON, 400, "not valid JSON"),
        (b"", JSON, 400, "not valid JSON"),
        (b'{"url": NaN, "events": ["order.created"]}', JSON, 400, "not valid JSON"),
        (b"\xff\xfe\x00garbage", JSON, 400, "must be JSON in UTF-8"),
        (b'[{"url": "https://hooks.example.com/x", "events": ["order.created"]}]', JSON, 400, "JSON object"),
        (b"null", JSON, 400, "JSON object"),
        (b'"https://hooks.example.com/x"', JSON, 400, "JSON object"),
        (
            b'{"url": "https://hooks.example.com/x", "events": ["order.created"]}',
            {"Content-Type": "text/plain"},
            400,
            "Content-Type",
        ),
        (
            b"url=https://hooks.example.com/x&events=order.created",
            {"Content-Type": "application/x-www-form-urlencoded"},
            400,
            "Content-Type",
        ),
        (
            json.dumps({"url": HOOK_URL, "events": ["order.created"], "description": "x" * 17_000}).encode(),
            JSON,
            413,
            "16 KB",
        ),
    ],
    ids=[
        "truncated JSON",
        "empty body",
        "NaN",
        "not UTF-8",
        "JSON array",
        "JSON null",
        "JSON string",
        "text/plain",
        "form",
        "over 16 KB",
    ],
)
def test_a_create_body_that_is_not_one_json_object_is_refused(
    stack: InProcessApi, raw: bytes, headers: dict[str, str], status: int, says: str
) -> None:
    # when
    reply = call(stack, "POST", WEBHOOKS, raw=raw, **headers)
    # then
    assert says in detail(reply, status)
    assert webhook_items(stack) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"url": HOOK_URL, "events": ["order.created"], "secret": "whsec_mine"}, "Unknown field: secret"),
        ({"url": HOOK_URL, "events": ["order.created"], "enabled": False}, "Unknown field: enabled"),
        ({"url": HOOK_URL, "events": ["order.shipped"]}, "events"),
        ({"url": HOOK_URL, "events": ["ping"]}, "events"),
        ({"url": HOOK_URL, "events": []}, "events"),
        ({"url": HOOK_URL, "events": "order.created"}, "events"),
        ({"url": HOOK_URL, "events": [None]}, "events"),
        ({"url": HOOK_URL}, "Missing required field: events"),
        ({"events": ["order.created"]}, "Missing required field: url"),
        ({"url": 1, "events": ["order.created"]}, "url"),
        ({"url": [HOOK_URL], "events": ["order.created"]}, "url"),
        ({"url": None, "events": ["order.created"]}, "url"),
        ({"url": "", "events": ["order.created"]}, "URL"),
        ({"url": HOOK_URL + "/" + "a" * 2048, "events": ["order.created"]}, "URL"),
        ({"url": "hooks.example.com/x", "events": ["order.created"]}, "https://"),
        ({"url": HOOK_URL, "events": ["order.created"], "description": "x" * 501}, "description"),
        ({"url": HOOK_URL, "events": ["order.created"], "description": 5}, "description"),
    ],
    ids=[
        "unknown field secret",
        "unknown field enabled",
        "unknown event type",
        "ping is not subscribable",
        "empty events",
        "events not a list",
        "event type not a string",
        "events missing",
        "url missing",
        "url a number",
        "url a list",
        "url null",
        "url empty",
        "url too long",
        "url without a scheme",
        "description too long",
        "description a number",
    ],
)
def test_a_bad_create_body_is_a_400_naming_the_problem(
    stack: InProcessApi, body: dict[str, Any], says: str
) -> None:
    # when
    reply = call(stack, "POST", WEBHOOKS, body)
    # then
    assert says in detail(reply, 400)
    assert webhook_items(stack) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"secret": "whsec_mine"}, "Unknown field: secret"),
        ({"status": "disabled"}, "Unknown field: status"),
        ({"enabled": "false"}, "enabled"),
        ({"events": []}, "events"),
        ({"events": ["order.shipped"]}, "events"),
        ({"url": 1}, "url"),
        ({"description": "x" * 501}, "description"),
        ([{"enabled": False}], "JSON object"),
    ],
    ids=[
        "unknown field secret",
        "unknown field status",
        "enabled a string",
        "empty events",
        "unknown event type",
        "url a number",
        "description too long",
        "JSON array",
    ],
)
def test_a_bad_patch_is_a_400_and_changes_nothing(stack: InProcessApi, body: Any, says: str) -> None:
    # given
    webhook = created(stack)
    path = f"{WEBHOOKS}/{webhook['id']}"
    before = stored(stack)
    # when
    reply = call(stack, "PATCH", path, body)
    # then
    assert says in detail(reply, 400)
    assert stored(stack) == before


def test_a_patch_that_is_not_json_is_a_400_and_changes_nothing(stack: InProcessApi) -> None:
    webhook = created(stack)
    before = stored(stack)
    reply = call(stack, "PATCH", f"{WEBHOOKS}/{webhook['id']}", raw=b'{"enabled": fal')
    assert "not valid JSON" in detail(reply, 400)
    assert stored(stack) == before


@pytest.mark.parametrize("path", [WEBHOOKS, EVENTS, f"{WEBHOOKS}/{{webhook}}/deliveries"])
@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "abc"},
        {"limit": "-1"},
        {"limit": "2.5"},
        {"limit": ""},
        {"limit": "²"},  # str.isdigit() says yes; int() says no
        {"cursor": "not-a-cursor"},
        {"cursor": "whk_nope"},
        {"cursor": "evt_nope"},
        {"cursor": "../ORG#x"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_bad_page_parameters_are_a_400(stack: InProcessApi, path: str, params: dict[str, str]) -> None:
    # given
    webhook = created(stack)
    # when
    reply = call(stack, "GET", query(path.format(webhook=webhook["id"]), **params))
    # then
    said = detail(reply, 400)
    assert ("limit" in said) if "limit" in params else ("cursor" in said)


def test_a_method_a_path_does_not_have_is_a_405_naming_those_it_has(stack: InProcessApi) -> None:
    webhook = created(stack)
    for method, path, allow in (
        ("PUT", f"{WEBHOOKS}/{webhook['id']}", "DELETE, GET, PATCH"),
        ("GET", f"{WEBHOOKS}/{webhook['id']}/rotate-secret", "POST"),
        ("DELETE", WEBHOOKS, "GET, POST"),
        ("POST", f"{EVENTS}/{UNKNOWN_EVENT}", "GET"),
    ):
        reply = call(stack, method, path, {"url": HOOK_URL} if method == "PUT" else None)
        problem(reply, 405)
        assert reply.header("Allow") == allow
    problem(call(stack, "GET", f"{WEBHOOKS}/{webhook['id']}/nothing-here"), 404)
    assert ok(call(stack, "GET", f"{WEBHOOKS}/{webhook['id']}"))["status"] == "enabled"


# --- 3. SSRF at registration ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example.com/fashionos", "https://"),
        ("http://93.184.216.34/fashionos", "https://"),
        ("http://127.0.0.1:8080/hook", "https://"),
        ("https://127.0.0.1/hook", "not public"),
        ("https://10.0.0.1/hook", "not public"),
        ("https://172.16.0.1/hook", "not public"),
        ("https://192.168.1.1/hook", "not public"),
        ("https://169.254.169.254/latest/meta-data/", "not public"),
        ("https://100.64.0.1/hook", "not public"),
        ("https://224.0.0.1/hook", "not public"),
        ("https://240.0.0.1/hook", "not public"),
        ("https://255.255.255.255/hook", "not public"),
        ("https://0.0.0.0/hook", "not public"),
        ("https://192.0.2.1/hook", "not public"),
        ("https://198.18.0.1/hook", "not public"),
        ("https://[::1]/hook", "not public"),
        ("https://[::]/hook", "not public"),
        ("https://[fe80::1]/hook", "not public"),
        ("https://[fe80::1%25eth0]/hook", "IPv6"),
        ("https://[fc00::1]/hook", "not public"),
        ("https://[fd00:ec2::254]/hook", "not public"),
        ("https://[ff02::1]/hook", "not public"),
        ("https://[2001:db8::1]/hook", "not public"),
        ("https://[::ffff:127.0.0.1]/hook", "not public"),
        ("https://[::ffff:169.254.169.254]/hook", "not public"),
        ("https://[::ffff:a9fe:a9fe]/hook", "not public"),
        ("https://[::127.0.0.1]/hook", "not public"),
        ("https://[64:ff9b::a9fe:a9fe]/hook", "not public"),
        ("https://[64:ff9b::127.0.0.1]/hook", "not public"),
        ("https://[64:ff9b:1::a9fe:a9fe]/hook", "not public"),
        ("https://[2002:a9fe:a9fe::1]/hook", "not public"),
        ("https://[2002:7f00:1::1]/hook", "not public"),
        ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", "not public"),
        ("https://[127.0.0.1]/hook", "URL"),
        ("https://2130706433/hook", "four decimal numbers"),
        ("https://0177.0.0.1/hook", "four decimal numbers"),
        ("https://0x7f.0.0.1/hook", "four decimal numbers"),
        ("https://0x7f000001/hook", "four decimal numbers"),
        ("https://127.1/hook", "four decimal numbers"),
        ("https://127.0.1/hook", "four decimal numbers"),
        ("https://0/hook", "four decimal numbers"),
        ("https://169.254.169.254./hook", "four decimal numbers"),
        ("https://user:pass@hooks.example.com/hook", "user info"),
        ("https://hooks.example.com@169.254.169.254/hook", "user info"),
        ("https://hooks.example.com/hook#frag", "fragment"),
        ("ftp://hooks.example.com/hook", "https://"),
        ("file:///etc/passwd", "https://"),
        ("https:///hook", "host"),
        ("https://hooks.example.com:99999/hook", "URL"),
        ("https://hooks .example.com/hook", "spaces"),
        ("https://bücher.example/hook", "punycode"),
        ("https://internal.example.com/hook", "not public"),
        ("https://metadata.example.com/hook", "not public"),
        ("https://mixed.example.com/hook", "not public"),
        ("https://mapped.example.com/hook", "not public"),
        ("https://localhost/hook", "not public"),
        ("https://nowhere.invalid/hook", "does not resolve"),
    ],
)
def test_an_unsafe_url_is_refused_at_registration_and_nothing_is_written(
    stack: InProcessApi, url: str, says: str
) -> None:
    # when
    reply = call(stack, "POST", WEBHOOKS, {"url": url, "events": ["order.created"]})
    # then: a URL that is not one is a 400; a well-formed one we will not call is a 422
    status = 422 if says in ("not public", "does not resolve") else 400
    assert says in detail(reply, status)
    assert webhook_items(stack) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.216.34/hook",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
        "https://[::ffff:93.184.216.34]/hook",
        "https://[64:ff9b::5db8:d822]/hook",
        "https://hooks.example.com:8443/hook?tenant=1",
        "HTTPS://HOOKS.EXAMPLE.COM/Hook",
        "https://hooks.example.org/hook",
    ],
)
def test_a_public_https_endpoint_is_accepted(stack: InProcessApi, url: str) -> None:
    webhook = created(stack, url)
    assert ok(call(stack, "GET", f"{WEBHOOKS}/{webhook['id']}"))["id"] == webhook["id"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://10.0.0.1/hook", 422),
        ("https://169.254.169.254/", 422),
        ("http://hooks.example.com/hook", 400),
        ("https://2130706433/", 400),
        ("https://mixed.example.com/hook", 422),
        ("https://nowhere.invalid/hook", 422),
    ],
)
def test_a_patch_to_an_unsafe_url_is_refused_and_the_url_is_unchanged(
    stack: InProcessApi, url: str, status: int
) -> None:
    # given
    webhook = created(stack)
    path = f"{WEBHOOKS}/{webhook['id']}"
    before = stored(stack)
    # when
    reply = call(stack, "PATCH", path, {"url": url, "description": "moved"})
    # then: a URL that is not one is a 400, one whose host is not public a 422
    detail(reply, status)
    assert stored(stack) == before
    assert ok(call(stack, "GET", path)) == {k: v for k, v in webhook.items() if k != "secret"}


def test_the_local_stack_allows_plain_http_to_loopback_only(
    stack: InProcessApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: what the dev stack sets, so that a receiver on 127.0.0.1 works
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    # when / then
    assert created(stack, "http://127.0.0.1:9000/hook")["url"] == "http://127.0.0.1:9000/hook"
    assert created(stack, "http://localhost:9000/hook")["url"] == "http://localhost:9000/hook"
    for unsafe, status in (
        ("http://hooks.example.com/x", 400),
        ("http://10.0.0.1/x", 400),
        ("https://169.254.169.254/", 422),
        ("http://127.1/", 400),
    ):
        detail(call(stack, "POST", WEBHOOKS, {"url": unsafe, "events": ["order.created"]}), status)
    assert len(webhook_items(stack)) == 2


# --- 4. another org's webhooks and events are not found ---------------------------------------------------
# (method, path, body): {webhook} / {event} stand for the id under test.
OWNED_ROUTES = [
    ("GET", f"{WEBHOOKS}/{{webhook}}", None),
    ("PATCH", f"{WEBHOOKS}/{{webhook}}", {"enabled": False}),
    ("DELETE", f"{WEBHOOKS}/{{webhook}}", None),
    ("POST", f"{WEBHOOKS}/{{webhook}}/rotate-secret", None),
    ("POST", f"{WEBHOOKS}/{{webhook}}/test", None),
    ("GET", f"{WEBHOOKS}/{{webhook}}/deliveries", None),
    ("POST", f"{WEBHOOKS}/{{webhook}}/recover", {"since": "2020-01-01T00:00:00Z"}),
    ("GET", f"{EVENTS}/{{event}}", None),
    ("POST", f"{EVENTS}/{{event}}/replay", None),
    ("POST", f"{EVENTS}/{{event}}/replay", {"webhook_id": "{webhook}"}),
]


def fill(value: Any, webhook_id: str, event_id: str) -> Any:
    if isinstance(value, str):
        return value.format(webhook=webhook_id, event=event_id)
    if isinstance(value, dict):
        return {name: fill(item, webhook_id, event_id) for name, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body"),
    OWNED_ROUTES,
    ids=[f"{m} {p}{' ' + str(b) if b else ''}" for m, p, b in OWNED_ROUTES],
)
def test_another_orgs_ids_are_not_found_like_unknown_ids_and_nothing_changes(
    stack: InProcessApi, other_key: str, method: str, path: str, body: Any
) -> None:
    # given: their webhook and its ping; our own webhook and ping (for the replay that names their webhook)
    theirs = created(stack, key=other_key)
    their_event = pinged(stack, theirs["id"], key=other_key)
    ours = created(stack)
    our_event = pinged(stack, ours["id"])
    names_their_webhook_only = body is not None and "webhook_id" in body
    event_id = our_event["id"] if names_their_webhook_only else their_event["id"]
    before = stored(stack)
    # when
    attack = call(stack, method, fill(path, theirs["id"], event_id), fill(body, theirs["id"], event_id))
    unknown = call(
        stack,
        method,
        fill(path, UNKNOWN_WEBHOOK, our_event["id"] if names_their_webhook_only else UNKNOWN_EVENT),
        fill(body, UNKNOWN_WEBHOOK, UNKNOWN_EVENT),
    )
    # then: the same answer, but for the id it names
    refused, never_existed = problem(attack, 404), problem(unknown, 404)
    assert set(refused) == set(never_existed)
    assert (refused["type"], refused["title"]) == (never_existed["type"], never_existed["title"])
    named = their_event["id"] if "{event}" in path and not names_their_webhook_only else theirs["id"]
    unnamed = UNKNOWN_EVENT if "{event}" in path and not names_their_webhook_only else UNKNOWN_WEBHOOK
    assert refused["detail"].replace(named, "ID") == never_existed["detail"].replace(unnamed, "ID")
    assert stored(stack) == before
    assert queued(stack) == []
    their_view = ok(call(stack, "GET", f"{WEBHOOKS}/{theirs['id']}", key=other_key))
    assert their_view == {k: v for k, v in theirs.items() if k != "secret"}


def test_lists_show_only_the_callers_webhooks_and_events(stack: InProcessApi, other_key: str) -> None:
    # given
    theirs = created(stack, key=other_key)
    their_event = pinged(stack, theirs["id"], key=other_key)
    ours = created(stack)
    our_event = pinged(stack, ours["id"])
    # when
    webhooks = ok(call(stack, "GET", WEBHOOKS))
    events = ok(call(stack, "GET", EVENTS))
    # then
    assert [w["id"] for w in webhooks["data"]] == [ours["id"]]
    assert [e["id"] for e in events["data"]] == [our_event["id"]]
    assert [e["id"] for e in ok(call(stack, "GET", EVENTS, key=other_key))["data"]] == [their_event["id"]]
    # and a cursor naming their event does not reach into their list
    page = ok(call(stack, "GET", query(EVENTS, cursor=their_event["id"])))
    assert their_event["id"] not in [e["id"] for e in page["data"]]


@pytest.mark.parametrize("webhook_id", ["whk_nope", "WHK_01JZZZZZZZZZZZZZZZZZZZZZZZ", "..%2F..%2Fx", "%20"])
def test_malformed_webhook_ids_are_not_found(stack: InProcessApi, webhook_id: str) -> None:
    created(stack)
    problem(call(stack, "GET", f"{WEBHOOKS}/{webhook_id}"), 404)
    problem(call(stack, "POST", f"{WEBHOOKS}/{webhook_id}/test"), 404)


@pytest.mark.parametrize("event_id", ["evt_nope", "evt_01JZZZZZZZZZZZZZZZZZZZZZZ", "%20"])
def test_malformed_event_ids_are_not_found(stack: InProcessApi, event_id: str) -> None:
    problem(call(stack, "GET", f"{EVENTS}/{event_id}"), 404)
    problem(call(stack, "POST", f"{EVENTS}/{event_id}/replay"), 404)


# --- 5. scopes and credentials --------------------------------------------------------------------------
ROUTES = [
    ("POST", WEBHOOKS, {"url": HOOK_URL, "events": ["order.created"]}),
    ("GET", WEBHOOKS, None),
    *OWNED_ROUTES[:8],
    ("GET", EVENTS, None),
    ("POST", f"{EVENTS}/{{event}}/replay", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def call_naming_our_ids(
    stack: InProcessApi, method: str, path: str, body: Any, headers: dict[str, str]
) -> tuple[Reply, dict[str, Any], list[dict[str, Any]]]:
    """Call a route with ``headers``, naming our webhook and its ping so that every id exists: the reply,
    the webhook, and the stored items before the call."""
    webhook = created(stack)
    event = pinged(stack, webhook["id"])
    before = stored(stack)
    reply = stack.call(
        fill(path, webhook["id"], event["id"]),
        fill(body, webhook["id"], event["id"]),
        method=method,
        headers=headers,
    )
    return reply, webhook, before


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_a_token_without_webhooks_manage_gets_403_insufficient_scope(
    stack: InProcessApi, limited_token: str, method: str, path: str, body: Any
) -> None:
    # given / when
    reply, _, before = call_naming_our_ids(
        stack, method, path, body, {"Authorization": f"Bearer {limited_token}"}
    )
    # then
    assert detail(reply, 403) == "This route requires the scope webhooks:manage"
    challenge = reply.header("WWW-Authenticate") or ""
    assert challenge.startswith("Bearer ")
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="webhooks:manage"' in challenge
    assert reply.header("X-RateLimit-Limit")
    assert stored(stack) == before
    assert queued(stack) == []


def refused_without_credentials(
    stack: InProcessApi, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    # given / when
    reply, webhook, before = call_naming_our_ids(stack, method, path, body, headers)
    # then
    detail(reply, 401)
    assert reply.header("WWW-Authenticate") == 'Bearer realm="fashionos"'
    assert webhook["secret"] not in reply.text
    after = [item for item in stored(stack) if not item["pk"]["S"].startswith("AUTHFAIL#")]
    assert after == [item for item in before if not item["pk"]["S"].startswith("AUTHFAIL#")]
    assert queued(stack) == []


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_a_request_without_credentials_gets_401(
    stack: InProcessApi, method: str, path: str, body: Any
) -> None:
    refused_without_credentials(stack, method, path, body, {})


@pytest.mark.parametrize(
    ("method", "path", "body"), [ROUTES[0], ROUTES[-1]], ids=[ROUTE_IDS[0], ROUTE_IDS[-1]]
)
@pytest.mark.parametrize(
    "headers",
    [{"X-Api-Key": "sk_sandbox_nope"}, {"Authorization": "Bearer not.a.jwt"}],
    ids=["bad key", "bad token"],
)
def test_a_request_with_bad_credentials_gets_401(
    stack: InProcessApi, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    refused_without_credentials(stack, method, path, body, headers)


# --- 6. what every answer carries ------------------------------------------------------------------------
@pytest.mark.usefixtures("minute")
def test_every_answer_carries_a_request_id_and_the_rate_limit_headers(stack: InProcessApi) -> None:
    # given / when: each route once, succeeding, then a few refusals
    replies: list[Reply] = []

    def send(method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        reply = call(stack, method, path, body, **kwargs)
        replies.append(reply)
        return reply

    webhook = send("POST", WEBHOOKS, {"url": HOOK_URL, "events": ["order.created"]}).json
    path = f"{WEBHOOKS}/{webhook['id']}"
    send("GET", WEBHOOKS)
    send("GET", path)
    send("PATCH", path, {"description": "x"})
    send("POST", f"{path}/rotate-secret")
    event = send("POST", f"{path}/test").json
    send("GET", f"{path}/deliveries")
    send("POST", f"{path}/recover", {"since": "2020-01-01T00:00:00Z"})
    send("GET", EVENTS)
    send("GET", f"{EVENTS}/{event['id']}")
    send("POST", f"{EVENTS}/{event['id']}/replay")
    send("POST", WEBHOOKS, raw=b"[")  # 400
    send("POST", WEBHOOKS, raw=b"x" * 20_000)  # 413
    send("GET", f"{WEBHOOKS}/{UNKNOWN_WEBHOOK}")  # 404
    send("GET", query(EVENTS, color="red"))  # 400
    send("PATCH", path, {"enabled": False})
    send("POST", f"{path}/test")  # 409
    send("DELETE", path)
    # then
    assert [reply.status for reply in replies] == [
        201, 200, 200, 200, 200, 202, 200, 202, 200, 200, 202, 400, 413, 404, 400, 200, 409, 204
    ]  # fmt: skip
    request_ids = [reply.header("X-Request-Id") for reply in replies]
    assert all(request_ids)
    assert len(set(request_ids)) == len(replies)
    remaining = []
    for reply in replies:
        assert reply.header("X-RateLimit-Limit") == "100", reply
        assert reply.header("RateLimit-Policy") == '"default";q=100;w=60', reply
        assert reply.header("RateLimit"), reply
        assert int(reply.header("X-RateLimit-Reset") or 0) % 60 == 0, reply
        remaining.append(int(reply.header("X-RateLimit-Remaining") or -1))
    assert remaining == list(range(99, 99 - len(replies), -1))  # each request counted once


def test_a_gateway_refusal_carries_a_request_id(stack: InProcessApi) -> None:
    reply = stack.call(WEBHOOKS, method="GET")
    problem(reply, 401)
    assert reply.header("X-Request-Id")


# --- pings, deliveries, recovery and replays -------------------------------------------------------------
def test_a_test_ping_is_accepted_and_recorded_as_an_event(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    before = time.time()
    # when
    reply = call(stack, "POST", f"{WEBHOOKS}/{webhook['id']}/test")
    # then
    event = ok(reply, 202)
    assert set(event) == {"id", "type", "created_at", "api_version", "sequence", "data", "delivery"}
    assert EVENT_ID.fullmatch(event["id"])
    assert (event["type"], event["api_version"], event["sequence"]) == ("ping", "v1", 1)
    assert event["data"] == {"id": webhook["id"], "object": "webhook", "url": HOOK_URL}
    assert event["delivery"] == {"succeeded": True, "failed_webhooks": []}
    assert before - 1 <= epoch(event["created_at"]) <= time.time() + 1
    assert webhook["secret"] not in reply.text
    # and the event log has it
    assert ok(call(stack, "GET", f"{EVENTS}/{event['id']}")) == event
    assert ok(call(stack, "GET", EVENTS)) == {"data": [event], "has_more": False, "next_cursor": None}


def test_each_ping_of_a_webhook_gets_the_next_sequence_number(stack: InProcessApi) -> None:
    # given
    first, second = created(stack), created(stack)
    # when
    sequences = [pinged(stack, first["id"])["sequence"] for _ in range(2)]
    other = pinged(stack, second["id"])["sequence"]
    # then: counted per webhook
    assert (sequences, other) == ([1, 2], 1)


def test_a_new_webhook_has_no_delivery_attempts(stack: InProcessApi) -> None:
    webhook = created(stack)
    pinged(stack, webhook["id"])  # delivered by the worker, which does not run here
    page = ok(call(stack, "GET", f"{WEBHOOKS}/{webhook['id']}/deliveries"))
    assert page == {"data": [], "has_more": False, "next_cursor": None}


def test_recover_answers_202_with_the_events_it_sends_again(stack: InProcessApi) -> None:
    # given: a webhook with no failed delivery
    webhook = created(stack)
    pinged(stack, webhook["id"])
    path = f"{WEBHOOKS}/{webhook['id']}/recover"
    # when
    reply = call(stack, "POST", path, {"since": rfc3339(time.time() - 3600)})
    windowed = call(
        stack, "POST", path, {"since": "2026-01-01T00:00:00+01:00", "until": rfc3339(time.time())}
    )
    # then
    assert ok(reply, 202) == {"webhook_id": webhook["id"], "event_ids": []}
    assert ok(windowed, 202) == {"webhook_id": webhook["id"], "event_ids": []}
    assert queued(stack) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "Missing required field: since"),
        ({"until": "2026-01-01T00:00:00Z"}, "Missing required field: since"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-01-01"}, "since"),
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no time zone
        ({"since": 1767225600}, "since"),
        ({"since": "2026-01-01T00:00:00Z", "until": "soon"}, "until"),
        ({"since": "2026-01-01T00:00:00Z", "event_ids": ["evt_x"]}, "Unknown field: event_ids"),
    ],
)
def test_a_bad_recover_request_is_a_400(stack: InProcessApi, body: dict[str, Any], says: str) -> None:
    webhook = created(stack)
    before = stored(stack)
    reply = call(stack, "POST", f"{WEBHOOKS}/{webhook['id']}/recover", body)
    assert says in detail(reply, 400)
    assert stored(stack) == before
    assert queued(stack) == []


def test_a_replay_goes_to_the_webhooks_that_receive_the_event(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    event = pinged(stack, webhook["id"])
    path = f"{EVENTS}/{event['id']}/replay"
    # when
    to_all = call(stack, "POST", path)
    to_one = call(stack, "POST", path, {"webhook_id": webhook["id"]})
    # then
    assert ok(to_all, 202) == {"event_id": event["id"], "webhook_ids": [webhook["id"]]}
    assert ok(to_one, 202) == {"event_id": event["id"], "webhook_ids": [webhook["id"]]}
    messages = queued(stack)
    assert len(messages) == 2
    for message in messages:
        assert (message["webhook_id"], message["event_id"], message["replay"]) == (
            webhook["id"],
            event["id"],
            True,
        )
        assert json.loads(message["payload"]) == {k: v for k, v in event.items() if k != "delivery"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"webhook_id": 1}', "webhook_id"),
        (b'{"webhook": "whk_x"}', "Unknown field: webhook"),
        (b'{"webhook_id": ', "not valid JSON"),
        (b"[]", "JSON object"),
    ],
)
def test_a_bad_replay_request_is_a_400(stack: InProcessApi, raw: bytes, says: str) -> None:
    webhook = created(stack)
    event = pinged(stack, webhook["id"])
    reply = call(stack, "POST", f"{EVENTS}/{event['id']}/replay", raw=raw)
    assert says in detail(reply, 400)
    assert queued(stack) == []


def test_a_replay_to_an_unknown_webhook_is_a_404(stack: InProcessApi) -> None:
    webhook = created(stack)
    event = pinged(stack, webhook["id"])
    reply = call(stack, "POST", f"{EVENTS}/{event['id']}/replay", {"webhook_id": UNKNOWN_WEBHOOK})
    assert UNKNOWN_WEBHOOK in detail(reply, 404)
    assert queued(stack) == []


def test_a_disabled_webhook_cannot_be_tested_recovered_or_replayed_to(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    event = pinged(stack, webhook["id"])
    path = f"{WEBHOOKS}/{webhook['id']}"
    ok(call(stack, "PATCH", path, {"enabled": False}))
    before = stored(stack)
    # when
    replies = [
        call(stack, "POST", f"{path}/test"),
        call(stack, "POST", f"{path}/recover", {"since": "2020-01-01T00:00:00Z"}),
        call(stack, "POST", f"{EVENTS}/{event['id']}/replay", {"webhook_id": webhook["id"]}),
    ]
    # then
    for reply in replies:
        assert "disabled" in detail(reply, 409)
    assert stored(stack) == before
    assert queued(stack) == []
    # and a replay to every receiver skips it
    everyone = call(stack, "POST", f"{EVENTS}/{event['id']}/replay")
    assert ok(everyone, 202) == {"event_id": event["id"], "webhook_ids": []}
    # and once enabled again, it can be tested
    ok(call(stack, "PATCH", path, {"enabled": True}))
    assert pinged(stack, webhook["id"])["sequence"] == 2


# --- 7. the event log's filters and pages ----------------------------------------------------------------
def ping_two_webhooks(stack: InProcessApi) -> tuple[list[dict[str, Any]], float, float]:
    """Three pings on two webhooks, oldest first; and the times just before and just after them."""
    first, second = created(stack), created(stack, OTHER_URL)
    start = time.time()
    events = [pinged(stack, first["id"]), pinged(stack, second["id"]), pinged(stack, first["id"])]
    return events, start, time.time()


def listed(stack: InProcessApi, **params: str) -> list[str]:
    page = ok(call(stack, "GET", query(EVENTS, **params)))
    return [event["id"] for event in page["data"]]


def test_events_filter_by_type(stack: InProcessApi) -> None:
    # given
    events, _, _ = ping_two_webhooks(stack)
    newest_first = [event["id"] for event in reversed(events)]
    # when / then
    assert listed(stack) == newest_first
    assert listed(stack, type="ping") == newest_first
    assert listed(stack, type="order.created,ping") == newest_first
    assert listed(stack, type="order.created") == []
    assert listed(stack, type="order.created,product.updated") == []


def test_events_filter_by_time_window(stack: InProcessApi) -> None:
    # given
    events, start, end = ping_two_webhooks(stack)
    newest_first = [event["id"] for event in reversed(events)]
    # when / then: windows that hold them, and windows before and after them
    assert listed(stack, since=rfc3339(start - 1), until=rfc3339(end + 60)) == newest_first
    assert listed(stack, since=rfc3339(start - 1)) == newest_first
    assert listed(stack, until=rfc3339(end + 60)) == newest_first
    assert listed(stack, since=rfc3339(start - 3600), until=rfc3339(start - 60)) == []
    assert listed(stack, since=rfc3339(end + 2), until=rfc3339(end + 3600)) == []
    assert listed(stack, since="2020-01-01T00:00:00Z", until="2020-01-02T00:00:00Z") == []
    assert listed(stack, since=rfc3339(start - 3600).replace("Z", "+00:00")) == newest_first
    offset = datetime.fromtimestamp(start - 3600, UTC).astimezone().isoformat(timespec="seconds")
    assert listed(stack, since=offset) == newest_first


def test_events_filter_by_delivery_success(stack: InProcessApi) -> None:
    # given: pings not yet delivered, so none has failed
    events, _, _ = ping_two_webhooks(stack)
    # when / then
    assert listed(stack, delivery_success="true") == [event["id"] for event in reversed(events)]
    assert listed(stack, delivery_success="false") == []
    assert listed(stack, delivery_success="true", type="ping", since=rfc3339(time.time() - 60)) == [
        event["id"] for event in reversed(events)
    ]


def test_events_come_newest_first_in_pages(stack: InProcessApi) -> None:
    # given
    webhook = created(stack)
    ids = [pinged(stack, webhook["id"])["id"] for _ in range(5)]
    # when
    pages = []
    cursor: str | None = None
    for _ in range(3):
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = ok(call(stack, "GET", query(EVENTS, **params)))
        pages.append(page)
        cursor = page["next_cursor"]
    # then
    assert [page["has_more"] for page in pages] == [True, True, False]
    seen = [event["id"] for page in pages for event in page["data"]]
    assert seen == ids[::-1]  # newest first, each once
    assert [event["sequence"] for page in pages for event in page["data"]] == [5, 4, 3, 2, 1]
    assert pages[2]["next_cursor"] is None
    # and filters apply across pages
    typed = ok(call(stack, "GET", query(EVENTS, type="ping", limit="3", cursor=ids[3])))
    assert [event["id"] for event in typed["data"]] == ids[2::-1]


@pytest.mark.parametrize("since", ["1969-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_a_window_that_starts_before_1970_holds_todays_events(stack: InProcessApi, since: str) -> None:
    # given
    events, _, _ = ping_two_webhooks(stack)
    # when
    reply = call(stack, "GET", query(EVENTS, since=since))
    recovered = call(stack, "POST", f"{WEBHOOKS}/{events[0]['data']['id']}/recover", {"since": since})
    # then
    assert [event["id"] for event in ok(reply)["data"]] == [event["id"] for event in reversed(events)]
    assert ok(recovered, 202)["event_ids"] == []


def test_a_window_ending_before_it_starts_finds_nothing(stack: InProcessApi) -> None:
    webhook = created(stack)
    pinged(stack, webhook["id"])
    window = {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    listed = call(stack, "GET", query(EVENTS, **window))
    assert listed.status == 200
    assert listed.json["data"] == []
    recovered = call(stack, "POST", f"{WEBHOOKS}/{webhook['id']}/recover", window)
    assert recovered.status == 202
    assert recovered.json["event_ids"] == []


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"colour": "red"}, "Unknown query parameter: colour"),
        ({"event_type": "ping"}, "Unknown query parameter: event_type"),
        ({"type": "order.shipped"}, "Unknown event type: order.shipped"),
        ({"type": "ping,nope"}, "Unknown event type: nope"),
        ({"type": ""}, "Unknown event type"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-01-01"}, "since"),
        ({"since": "2026-01-01T00:00:00"}, "since"),
        ({"until": "2026-13-01T00:00:00Z"}, "until"),
        ({"until": "1767225600"}, "until"),
        ({"delivery_success": "maybe"}, "delivery_success"),
        ({"delivery_success": "True"}, "delivery_success"),
    ],
)
def test_bad_event_filters_are_a_400(stack: InProcessApi, params: dict[str, str], says: str) -> None:
    webhook = created(stack)
    pinged(stack, webhook["id"])
    assert says in detail(call(stack, "GET", query(EVENTS, **params)), 400)
