"""Try-on sessions over real HTTP against the local stack: a hundred concurrent starts (half of them
retries with a repeated Idempotency-Key) create exactly fifty sessions, move the org's Dashboard AI counter by
fifty, emit fifty ``tryon.session.created`` events, and warn from the request that crossed the plan's limit
on; the session token opens the try-on front end's routes and no ``/v1`` route, and an access token the
reverse.

The org is made as an operator would (``fashionos-admin create-org --plan``, ``set-tryon``), on a plan of
its own, so the counts are this test's alone."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import pytest

from tests.e2e.conftest import E2E, DevStack
from tests.e2e.test_commerce import Partner, listing, partner_of, suffix

pytestmark = E2E

SESSIONS = "/v1/tryon/sessions"
LIMIT = 30  # the plan's AI try-ons a period: 50 sessions cross it at the 31st
EXCEEDED = ["Usage limit exceeded for this period"]


@pytest.fixture
def tryon_partner(stack: DevStack) -> Partner:
    plan = f"e2e_tryon_{suffix(8)}"
    stack.admin("set-plan", plan, "--ai-tryons", str(LIMIT), "--ar-tryons", "1000")
    partner = partner_of(stack, "--plan", plan)
    stack.admin("set-tryon", partner.org_id, "--type", "AI", "--type", "AR")
    return partner


def active_product(partner: Partner) -> dict[str, Any]:
    sf = partner.storefront()
    product: dict[str, Any] = partner.ok("POST", f"/v1/storefronts/{sf}/products", listing("TRY"), 201)
    return product


def test_a_hundred_concurrent_starts_half_retried_create_fifty_sessions(
    stack: DevStack, tryon_partner: Partner
) -> None:
    partner = tryon_partner
    user_id = partner.ok("GET", "/v1/me")["id"]
    product = active_product(partner)
    before = stack.usage(user_id)["period_totals"]["ai_tryons"]
    keys = [f"e2e-{uuid.uuid4()}" for _ in range(50)]
    body = {"product_id": product["id"], "type": "AI"}
    # when: each of 50 requests is sent twice at once, with its own Idempotency-Key (and sent again, as a
    # partner's client would, if it was told 409 `contended` after trying as long as it could)
    batch = [("POST", SESSIONS, body, {"Idempotency-Key": key}) for key in keys for _ in range(2)]
    replies = partner.many_retried(batch)
    # then: every key got its session (a twin still in flight is 409, never a second session)
    by_key: dict[str, set[str]] = defaultdict(set)
    for (_, _, _, headers), reply in zip(batch, replies, strict=True):
        assert reply.status in (201, 409), reply.text
        if reply.status == 201:
            by_key[headers["Idempotency-Key"]].add(reply.json["id"])
    assert set(by_key) == set(keys)
    assert all(len(ids) == 1 for ids in by_key.values())
    created = {r.json["id"]: r.json for r in replies if r.status == 201}
    listed = partner.every(f"{SESSIONS}?product_id={product['id']}")
    assert sorted(s["id"] for s in listed) == sorted(created)
    assert len(created) == 50
    # and the Dashboard counted fifty AI try-ons, and fifty events were emitted
    assert stack.usage(user_id)["period_totals"]["ai_tryons"] == before + 50
    events = partner.every("/v1/events?type=tryon.session.created")
    assert sorted(e["data"]["id"] for e in events) == sorted(created)
    # and exactly the sessions past the plan's limit warn (the 31st to the 50th)
    warned = [s for s in created.values() if s.get("warnings") == EXCEEDED]
    assert len(warned) == 50 - LIMIT
    assert all("warnings" not in s for s in created.values() if s not in warned)


def test_session_tokens_and_access_tokens_are_not_interchangeable(tryon_partner: Partner) -> None:
    partner = tryon_partner
    product = active_product(partner)
    session = partner.ok("POST", SESSIONS, {"product_id": product["id"], "type": "AR"}, 201)
    as_session = Partner(partner.stack, partner.org_id, session["session_token"])
    for path in ("/v1/me", SESSIONS, f"{SESSIONS}/{session['id']}"):
        assert as_session.call("GET", path).status == 401, path
    loaded = as_session.ok("GET", "/tryon/v1/session")
    assert loaded["session"]["id"] == session["id"]
    assert loaded["product"]["id"] == product["id"]
    assert partner.call("GET", "/tryon/v1/session").status == 401  # the access token
    assert partner.call("POST", "/tryon/v1/session/complete", {"outcome": "completed"}).status == 401
    ended = as_session.ok("POST", "/tryon/v1/session/complete", {"outcome": "abandoned"})
    assert ended["status"] == "abandoned"
    assert as_session.call("POST", "/tryon/v1/session/complete", {"outcome": "completed"}).status == 409
