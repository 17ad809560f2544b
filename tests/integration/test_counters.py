"""The three endpoints' documented behaviour: messages, counters, ownership and soft limits."""

from __future__ import annotations

import pytest

from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore
from tests.helpers import API_KEY_USAGE, PRODUCTS, TRYON
from tests.integration.conftest import InProcessApi


def usage(stack: InProcessApi, user_id: str) -> dict[str, object]:
    service = UsageService(UsageStore(stack.session.client("dynamodb"), stack.table))
    report = service.usage_report(user_id)
    return {
        "period": report.period_totals,
        "lifetime": report.lifetime_totals,
        "keys": {k.key_id: (k.ar_tryons, k.ai_tryons, k.api_calls) for k in report.keys},
        "products": report.product_count,
    }


def key_id(api_key: str) -> str:
    return api_key.removeprefix("footwear_")[:12]


def test_ar_tryon_by_api_key_counts_for_the_key_and_its_owner(stack: InProcessApi) -> None:
    # given
    demo = stack.demo
    # when
    reply = stack.call(
        TRYON, {"handshake": demo["handshake"], "type": "AR", "count": 1, "api_key": demo["api_key"]}
    )
    # then
    assert reply.status == 200
    assert reply.json == {"success": True, "message": "AR tryon usage increased successfully"}
    counted = usage(stack, demo["user_id"])
    assert counted["period"] == {"ar_tryons": 1, "ai_tryons": 0, "api_calls": 0}
    assert counted["lifetime"] == {"ar_tryons": 1, "ai_tryons": 0, "api_calls": 0}
    assert counted["keys"] == {key_id(demo["api_key"]): (1, 0, 0)}


def test_ai_tryon_by_user_id_counts_for_the_user_only(stack: InProcessApi) -> None:
    demo = stack.demo
    reply = stack.call(
        TRYON, {"handshake": demo["handshake"], "type": "AI", "count": 3, "user_id": demo["user_id"]}
    )
    assert reply.status == 200
    assert reply.json == {"success": True, "message": "AI tryon usage increased successfully"}
    counted = usage(stack, demo["user_id"])
    assert counted["period"] == {"ar_tryons": 0, "ai_tryons": 3, "api_calls": 0}
    assert counted["keys"] == {}


def test_api_key_usage_counts_key_calls_after_checking_the_owner(stack: InProcessApi) -> None:
    demo = stack.demo
    body = {
        "handshake": demo["handshake"],
        "api_key": demo["api_key"],
        "count": 5,
        "user_id": demo["user_id"],
    }
    reply = stack.call(API_KEY_USAGE, body)
    assert reply.status == 200
    assert reply.json == {"success": True, "message": "API key usage increased successfully"}
    counted = usage(stack, demo["user_id"])
    assert counted["period"] == {"ar_tryons": 0, "ai_tryons": 0, "api_calls": 5}
    assert counted["keys"] == {key_id(demo["api_key"]): (0, 0, 5)}


def test_api_key_alone_counts_for_its_owner(stack: InProcessApi) -> None:
    demo = stack.demo
    reply = stack.call(
        API_KEY_USAGE, {"handshake": demo["handshake"], "api_key": demo["other_api_key"], "count": 2}
    )
    assert reply.status == 200
    assert usage(stack, demo["other_user_id"])["period"] == {"ar_tryons": 0, "ai_tryons": 0, "api_calls": 2}
    assert usage(stack, demo["user_id"])["period"] == {"ar_tryons": 0, "ai_tryons": 0, "api_calls": 0}


def test_product_count_replaces_the_stored_value_and_warns_over_the_plan(stack: InProcessApi) -> None:
    demo = stack.demo
    over = stack.call(PRODUCTS, {"handshake": demo["handshake"], "user_id": demo["user_id"], "value": 150})
    assert over.status == 200
    assert over.json == {
        "success": True,
        "message": "Product count set successfully",
        "warnings": ["Product limit exceeded for current plan"],
    }
    under = stack.call(PRODUCTS, {"handshake": demo["handshake"], "user_id": demo["user_id"], "value": 20})
    assert under.json == {"success": True, "message": "Product count set successfully"}
    assert usage(stack, demo["user_id"])["products"] == 20


def test_product_count_at_the_limit_is_not_a_warning(stack: InProcessApi) -> None:
    demo = stack.demo
    reply = stack.call(PRODUCTS, {"handshake": demo["handshake"], "user_id": demo["user_id"], "value": 100})
    assert "warnings" not in reply.json


def test_usage_warning_appears_once_the_period_total_passes_the_limit(stack: InProcessApi) -> None:
    # given: the demo plan allows 50 AI try-ons per period
    demo = stack.demo
    body = {"handshake": demo["handshake"], "type": "AI", "user_id": demo["user_id"]}
    # when / then
    assert "warnings" not in stack.call(TRYON, {**body, "count": 50}).json
    over = stack.call(TRYON, {**body, "count": 1})
    assert over.status == 200
    assert over.json["warnings"] == ["Usage limit exceeded for this period"]
    assert usage(stack, demo["user_id"])["period"]["ai_tryons"] == 51


def test_api_call_limit_warns_too(stack: InProcessApi) -> None:
    demo = stack.demo
    body = {"handshake": demo["handshake"], "api_key": demo["api_key"], "count": 1001}
    assert stack.call(API_KEY_USAGE, body).json["warnings"] == ["Usage limit exceeded for this period"]


def test_a_plan_change_applies_to_the_next_request(stack: InProcessApi) -> None:
    demo = stack.demo
    service = UsageService(UsageStore(stack.session.client("dynamodb"), stack.table))
    service.set_plan("starter", PlanLimits(ar_tryons=0))
    reply = stack.call(
        TRYON, {"handshake": demo["handshake"], "type": "AR", "count": 1, "user_id": demo["user_id"]}
    )
    assert reply.json["warnings"] == ["Usage limit exceeded for this period"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (TRYON, {"type": "AR", "count": 1}),
        (API_KEY_USAGE, {"count": 1}),
    ],
)
def test_a_previous_handshake_token_keeps_working_during_rotation(
    stack: InProcessApi, path: str, body: dict[str, object]
) -> None:
    from fashionos.integration.handshake import rotate_handshake

    demo = stack.demo
    new = rotate_handshake(stack.session.client("secretsmanager"), stack.secret_arn)
    for token in (demo["handshake"], new):
        reply = stack.call(path, {**body, "handshake": token, "api_key": demo["api_key"]})
        assert reply.status == 200, reply.text


def test_a_rotation_is_finished_by_retiring_the_previous_token(stack: InProcessApi) -> None:
    from fashionos.integration.handshake import retire_previous_handshake, rotate_handshake, token_cache

    # given: a rotation, with the new token in use
    demo = stack.demo
    secrets = stack.session.client("secretsmanager")
    new = rotate_handshake(secrets, stack.secret_arn)
    body = {"type": "AR", "count": 1, "user_id": demo["user_id"]}
    assert stack.call(TRYON, {**body, "handshake": new}).status == 200
    # when: the operator finishes it, and the container's cached copy expires
    retire_previous_handshake(secrets, stack.secret_arn)
    token_cache().clear()
    # then
    assert stack.call(TRYON, {**body, "handshake": demo["handshake"]}).status == 401
    assert stack.call(TRYON, {**body, "handshake": new}).status == 200
