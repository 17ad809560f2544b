"""The API document's four curl examples, run as written against the local stack.

Only the base URL and the placeholders (handshake token, API key, user id) are replaced. The commands run
through the real ``curl`` when the machine has one, otherwise through ``requests`` with the same method,
headers and body.
"""

from __future__ import annotations

import shlex

import pytest

from tests.e2e.conftest import E2E, DevStack, User
from tests.e2e.curl import run

pytestmark = E2E

DOCUMENTED_BASE_URL = "https://dash.wearfits.com"

# Verbatim from the document (000: "Dashboard — Integration API Reference").
AR_TRYON_EXAMPLE = """\
curl -X POST https://dash.wearfits.com/api/v1/integration/increase-tryon-usage-count \\
  -H "Content-Type: application/json" \\
  -d '{
    "handshake": "<your-handshake-token>",
    "type": "AR",
    "count": 1,
    "api_key": "footwear_xxxxxxxxxxxx"
  }'
"""

AI_TRYON_BY_USER_ID_EXAMPLE = """\
curl -X POST https://dash.wearfits.com/api/v1/integration/increase-tryon-usage-count \\
  -H "Content-Type: application/json" \\
  -d '{
    "handshake": "<your-handshake-token>",
    "type": "AI",
    "count": 3,
    "user_id": "usr_abc123"
  }'
"""

API_KEY_USAGE_EXAMPLE = """\
curl -X POST https://dash.wearfits.com/api/v1/integration/increase-api-key-usage-count \\
  -H "Content-Type: application/json" \\
  -d '{
    "handshake": "<your-handshake-token>",
    "api_key": "footwear_xxxxxxxxxxxx",
    "count": 5,
    "user_id": "usr_abc123"
  }'
"""

PRODUCT_NUMBER_EXAMPLE = """\
curl -X POST https://dash.wearfits.com/api/v1/integration/set-user-product-number \\
  -H "Content-Type: application/json" \\
  -d '{
    "handshake": "<your-handshake-token>",
    "user_id": "usr_abc123",
    "value": 150
  }'
"""


def for_stack(example: str, stack: DevStack, user: User) -> list[str]:
    """The example's argv, pointed at the local stack with this user's credentials."""
    command = (
        example.replace(DOCUMENTED_BASE_URL, stack.base_url)
        .replace("<your-handshake-token>", stack.handshake)
        .replace("footwear_xxxxxxxxxxxx", user.api_key)
        .replace("usr_abc123", user.user_id)
    )
    return shlex.split(command.replace("\\\n", " "))


@pytest.fixture
def user(stack: DevStack) -> User:
    return stack.new_user()


def test_the_four_examples_in_turn_leave_the_documented_totals(stack: DevStack, user: User) -> None:
    # given: a new user on the starter plan (100 products), and one API key
    examples = [AR_TRYON_EXAMPLE, AI_TRYON_BY_USER_ID_EXAMPLE, API_KEY_USAGE_EXAMPLE, PRODUCT_NUMBER_EXAMPLE]
    # when: a legacy system runs the document's examples one after the other
    replies = [run(for_stack(example, stack, user)) for example in examples]
    # then: each gets its documented response
    assert replies == [
        (200, {"success": True, "message": "AR tryon usage increased successfully"}),
        (200, {"success": True, "message": "AI tryon usage increased successfully"}),
        (200, {"success": True, "message": "API key usage increased successfully"}),
        (
            200,
            {
                "success": True,
                "message": "Product count set successfully",
                "warnings": ["Product limit exceeded for current plan"],
            },
        ),
    ]
    # and the operator's usage report shows what they counted: the AI try-ons by user id count for the
    # user only, the rest for the user and the key
    usage = stack.usage(user.user_id)
    assert usage["period_totals"] == {"ar_tryons": 1, "ai_tryons": 3, "api_calls": 5}
    assert usage["lifetime_totals"] == {"ar_tryons": 1, "ai_tryons": 3, "api_calls": 5}
    assert usage["product_count"] == 150
    assert usage["keys"] == [{"key_id": user.key_id, "ar_tryons": 1, "ai_tryons": 0, "api_calls": 5}]
