"""Versioning and deprecation over real HTTP, on a local stack of its own whose configuration deprecates
routes and a field (nothing real is deprecated yet: the mechanism is what ships).

- ``GET /v1/me``: deprecated 10 days ago, sunset in 100 days: answered, with the deprecation headers.
- ``GET /v1/storefronts``: past its sunset: 410, a problem document naming its replacement.
- ``GET /v1/orders`` field ``status``: the headers only on requests that send it.
- ``GET /v1/webhooks``: announced for next month: no headers yet.
- the Integration API's ``increase-api-key-usage-count``: deprecated, still answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests

import fashionos
from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, StackFailed, http, running_stack

pytestmark = E2E

TODAY = datetime.now(UTC).date()


def _entry(route: str, since: int, sunset: int, replacement: str, field: str | None = None) -> dict[str, str]:
    entry = {
        "route": route,
        "deprecated_on": (TODAY + timedelta(days=since)).isoformat(),
        "sunset_on": (TODAY + timedelta(days=sunset)).isoformat(),
        "replacement": replacement,
    }
    return {**entry, "field": field} if field else entry


CONFIGURED = [
    _entry("GET /v1/me", -10, 100, "GET /v1/profile"),
    _entry("GET /v1/storefronts", -120, -5, "GET /v1/shops"),
    _entry("GET /v1/orders", -1, 90, "the state parameter", field="status"),
    _entry("GET /v1/webhooks", 30, 130, "GET /v1/hooks"),
    _entry("POST /api/v1/integration/increase-api-key-usage-count", -3, 95, "POST /api/v2/usage"),
]


@pytest.fixture(scope="module")
def deprecating_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    environment = {"FASHIONOS_DEPRECATIONS": json.dumps(CONFIGURED)}
    try:
        with running_stack(tmp_path_factory.mktemp("deprecations"), environment=environment) as running:
            yield running
    except StackFailed as failed:
        pytest.fail(str(failed))


@pytest.fixture(scope="module")
def client(deprecating_stack: DevStack) -> dict[str, str]:
    """A client of the demo org nobody else uses, and its token."""
    stack = deprecating_stack
    scopes = ["profile:read", "storefronts:read", "orders:read", "webhooks:manage"]
    made = stack.admin(
        "create-client", stack.credentials["org_id"], *[a for s in scopes for a in ("--scope", s)]
    )
    with http() as session:
        token = session.post(
            stack.url("/oauth/token"),
            auth=(made["client_id"], made["client_secret"]),
            data={"grant_type": "client_credentials"},
            timeout=REQUEST_TIMEOUT,
        ).json()["access_token"]
    return {"client_id": made["client_id"], "token": token}


def get(stack: DevStack, client: dict[str, str], path: str) -> requests.Response:
    with http() as session:
        headers = {"Authorization": f"Bearer {client['token']}"}
        return session.get(stack.url(path), headers=headers, timeout=REQUEST_TIMEOUT)


def _deprecation_headers(reply: requests.Response, since: int, sunset: int, slug: str) -> None:
    expected_since = datetime(*(TODAY + timedelta(days=since)).timetuple()[:3], tzinfo=UTC)
    assert reply.headers["Deprecation"] == f"@{int(expected_since.timestamp())}"
    assert parsedate_to_datetime(reply.headers["Sunset"]).date() == TODAY + timedelta(days=sunset)
    assert reply.headers["Link"] == (
        f'<https://docs.fashionos.dev/deprecations#{slug}>; rel="deprecation"; type="text/html"'
    )


def test_a_deprecated_route_answers_with_its_deprecation_headers(
    deprecating_stack: DevStack, client: dict[str, str]
) -> None:
    reply = get(deprecating_stack, client, "/v1/me")
    assert reply.status_code == 200, reply.text
    assert reply.json()["client_id"] == client["client_id"]
    _deprecation_headers(reply, -10, 100, "get-v1-me")
    assert reply.headers["API-Version"] == fashionos.__version__


def test_after_its_sunset_a_route_answers_410_naming_its_replacement(
    deprecating_stack: DevStack, client: dict[str, str]
) -> None:
    reply = get(deprecating_stack, client, "/v1/storefronts")
    assert reply.status_code == 410, reply.text
    assert reply.headers["Content-Type"] == "application/problem+json"
    problem = reply.json()
    assert (problem["status"], problem["title"], problem["code"]) == (410, "Gone", "sunset")
    assert "GET /v1/shops" in problem["detail"]
    assert (TODAY - timedelta(days=5)).isoformat() in problem["detail"]
    _deprecation_headers(reply, -120, -5, "get-v1-storefronts")
    assert reply.headers["API-Version"] == fashionos.__version__


def test_a_deprecated_field_marks_only_the_requests_that_send_it(
    deprecating_stack: DevStack, client: dict[str, str]
) -> None:
    sending = get(deprecating_stack, client, "/v1/orders?status=created")
    plain = get(deprecating_stack, client, "/v1/orders")
    assert (sending.status_code, plain.status_code) == (200, 200), (sending.text, plain.text)
    _deprecation_headers(sending, -1, 90, "get-v1-orders-field-status")
    assert not {"Deprecation", "Sunset", "Link"} & set(plain.headers)


def test_a_deprecation_announced_for_later_has_no_headers_yet(
    deprecating_stack: DevStack, client: dict[str, str]
) -> None:
    reply = get(deprecating_stack, client, "/v1/webhooks")
    assert reply.status_code == 200, reply.text
    assert "Deprecation" not in reply.headers


def test_a_deprecated_integration_route_carries_the_headers(deprecating_stack: DevStack) -> None:
    stack = deprecating_stack
    user = stack.new_user()
    body = {"handshake": stack.handshake, "api_key": user.api_key, "user_id": user.user_id, "count": 1}
    reply = stack.post("/api/v1/integration/increase-api-key-usage-count", body)
    assert reply.status_code == 200, reply.text
    _deprecation_headers(reply, -3, 95, "post-api-v1-integration-increase-api-key-usage-count")
    assert reply.headers["API-Version"] == fashionos.__version__


def test_deprecated_usage_counts_each_call_per_client(
    deprecating_stack: DevStack, client: dict[str, str]
) -> None:
    stack = deprecating_stack
    before = _calls(stack, client["client_id"])
    for _ in range(3):
        assert get(stack, client, "/v1/me").status_code == 200
    assert get(stack, client, "/v1/storefronts").status_code == 410
    assert get(stack, client, "/v1/webhooks").status_code == 200  # not in effect: not counted
    after = _calls(stack, client["client_id"])
    assert after.get("GET /v1/me", 0) - before.get("GET /v1/me", 0) == 3
    assert after.get("GET /v1/storefronts", 0) - before.get("GET /v1/storefronts", 0) == 1
    assert "GET /v1/webhooks" not in after
    rows = stack.admin("deprecated-usage")["calls"]
    mine = [row for row in rows if row["caller"] == client["client_id"]]
    assert {row["org_id"] for row in mine} == {stack.credentials["org_id"]}
    today = datetime.now(UTC).date()  # the run may have crossed midnight since TODAY
    assert all(TODAY <= date.fromisoformat(row["last_called_at"][:10]) <= today for row in mine)


def _calls(stack: DevStack, caller: str) -> dict[str, int]:
    rows = stack.admin("deprecated-usage")["calls"]
    return {row["deprecation"]: row["calls"] for row in rows if row["caller"] == caller}


def test_every_response_kind_carries_api_version(deprecating_stack: DevStack) -> None:
    stack = deprecating_stack
    with http() as session:
        replies = {
            "gateway 401": session.get(stack.url("/v1/me"), timeout=REQUEST_TIMEOUT),
            "gateway 404": session.get(stack.url("/nowhere"), timeout=REQUEST_TIMEOUT),
            "token endpoint": session.post(stack.url("/oauth/token"), data={}, timeout=REQUEST_TIMEOUT),
            "public document": session.get(stack.url("/openapi.json"), timeout=REQUEST_TIMEOUT),
            "integration refusal": session.post(
                stack.url("/api/v1/integration/set-user-product-number"), json={}, timeout=REQUEST_TIMEOUT
            ),
        }
    for kind, reply in replies.items():
        assert reply.headers.get("API-Version") == fashionos.__version__, kind
