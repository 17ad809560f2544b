"""The Partner API's /v1 routes over real HTTP against the local stack: the document's curl flow, and the
per-client rate limit holding under concurrent workers (moto server, one atomic ADD per request)."""

from __future__ import annotations

import shlex
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.e2e.conftest import E2E, REQUEST_TIMEOUT, DevStack, http
from tests.e2e.curl import run

pytestmark = E2E

DOCUMENTED_BASE_URL = "https://api.fshnista.com"
# Verbatim from the document (003, "OAuth 2.0" and its quick start), one command each.
TOKEN_EXAMPLE = """curl -X POST https://api.fshnista.com/oauth/token -H "Content-Type: application/json" \
-d '{"grant_type": "client_credentials", "client_id":  "your_client_id", "client_secret": "your_secret"}'"""
ME_EXAMPLE = """curl -H "Authorization: Bearer $TOKEN" https://api.fshnista.com/v1/me"""
WORKERS = 16


def for_stack(example: str, stack: DevStack, **values: str) -> list[str]:
    command = example.replace(DOCUMENTED_BASE_URL, stack.base_url)
    for placeholder, value in values.items():
        command = command.replace(placeholder, value)
    return ["curl", *shlex.split(command)[1:]]


def test_the_documented_curl_flow_token_then_me(stack: DevStack) -> None:
    # given
    credentials = stack.credentials
    token_command = for_stack(
        TOKEN_EXAMPLE,
        stack,
        your_client_id=credentials["client_id"],
        your_secret=credentials["client_secret"],
    )
    # when
    status, token = run(token_command)
    assert status == 200, token
    status, profile = run(for_stack(ME_EXAMPLE, stack, **{"$TOKEN": token["access_token"]}))
    # then: the document's response, plus what the credentials allow
    assert (token["token_type"], token["expires_in"]) == ("Bearer", 3600)
    assert status == 200, profile
    assert profile["id"].startswith("usr_")
    assert (profile["handle"], profile["twin_active"]) == ("@yourbrand", True)
    assert (profile["org"]["id"], profile["client_id"]) == (credentials["org_id"], credentials["client_id"])


def test_the_101st_request_of_a_minute_gets_429_across_concurrent_workers(stack: DevStack) -> None:
    # given: a client nobody else uses, and enough of the current minute left for 101 requests
    client = stack.admin("create-client", stack.credentials["org_id"], "--scope", "profile:read")
    with http() as session:
        token = session.post(
            stack.url("/oauth/token"),
            auth=(client["client_id"], client["client_secret"]),
            data={"grant_type": "client_credentials"},
            timeout=REQUEST_TIMEOUT,
        ).json()["access_token"]
    if time.time() % 60 > 40:
        time.sleep(60 - time.time() % 60 + 0.5)
    headers = {"Authorization": f"Bearer {token}"}

    def call(_: int) -> requests.Response:
        with http() as session:
            return session.get(stack.url("/v1/me"), headers=headers, timeout=REQUEST_TIMEOUT)

    # when: 101 requests from 16 workers at once
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        replies = list(pool.map(call, range(101)))
    # then: exactly one is refused, with Retry-After, and the counts agree with the headers
    assert Counter(reply.status_code for reply in replies) == {200: 100, 429: 1}
    refused = next(reply for reply in replies if reply.status_code == 429)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # each accepted request was counted once: together they saw every count from 1 to 100
    accepted = [reply for reply in replies if reply.status_code == 200]
    assert sorted(int(reply.headers["X-RateLimit-Remaining"]) for reply in accepted) == list(range(100))
