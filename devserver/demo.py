"""Demo data for the local stack: two users on a small plan, their API keys, one deactivated key."""

from __future__ import annotations

from typing import Any

from fashionos.integration.handshake import current_handshake
from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore

from devserver.stack import LocalStack

DEMO_PLAN = "starter"
# Small enough that the documentation's product example (150 products) shows the plan-limit warning.
DEMO_LIMITS = PlanLimits(ar_tryons=100, ai_tryons=50, api_calls=1000, products=100)


def seed(stack: LocalStack) -> dict[str, Any]:
    session = stack.session
    outputs = stack.describe()["outputs"]
    client = session.client("dynamodb", endpoint_url=stack.moto.url)
    service = UsageService(UsageStore(client, outputs["IntegrationTableName"]))
    service.set_plan(DEMO_PLAN, DEMO_LIMITS)
    user = service.create_user(DEMO_PLAN)
    other = service.create_user(DEMO_PLAN)
    _, api_key = service.create_api_key(user.user_id)
    _, other_api_key = service.create_api_key(other.user_id)
    inactive, inactive_api_key = service.create_api_key(user.user_id)
    service.deactivate_api_key(inactive.key_id)
    secrets = session.client("secretsmanager", endpoint_url=stack.moto.url)
    return {
        "base_url": stack.base_url,
        "handshake": current_handshake(secrets, outputs["HandshakeSecretArn"]),
        "user_id": user.user_id,
        "api_key": api_key,
        "other_user_id": other.user_id,
        "other_api_key": other_api_key,
        "inactive_api_key": inactive_api_key,
        "plan": DEMO_PLAN,
        "moto_endpoint_url": stack.moto.url,
    }
