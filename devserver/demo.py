"""Demo data for a local stack: two users on a small plan, their API keys, one deactivated key; a partner org
with an OAuth client holding every scope, a client holding only ``profile:read``, and a sandbox key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fashionos.identity.partner_models import KNOWN_SCOPES
from fashionos.identity.partner_store import PartnerStore
from fashionos.identity.partners import PartnerService
from fashionos.integration.handshake import current_handshake
from fashionos.usage.models import PlanLimits
from fashionos.usage.service import UsageService
from fashionos.usage.store import UsageStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

DEMO_PLAN = "starter"
# Small enough that the documentation's product example (150 products) shows the plan-limit warning.
DEMO_LIMITS = PlanLimits(ar_tryons=100, ai_tryons=50, api_calls=1000, products=100)
DEMO_HANDLE = "@yourbrand"
LIMITED_SCOPES = frozenset({"profile:read"})


def seed(
    dynamodb: DynamoDBClient,
    secrets: SecretsManagerClient,
    table: str,
    secret_arn: str,
    partner_table: str,
) -> dict[str, Any]:
    """Create the demo data; returns the credentials a caller needs (the keys are only known now)."""
    service = UsageService(UsageStore(dynamodb, table))
    service.set_plan(DEMO_PLAN, DEMO_LIMITS)
    user = service.create_user(DEMO_PLAN)
    other = service.create_user(DEMO_PLAN)
    _, api_key = service.create_api_key(user.user_id)
    _, other_api_key = service.create_api_key(other.user_id)
    inactive, inactive_api_key = service.create_api_key(user.user_id)
    service.deactivate_api_key(inactive.key_id)
    return {
        "handshake": current_handshake(secrets, secret_arn),
        "user_id": user.user_id,
        "api_key": api_key,
        "other_user_id": other.user_id,
        "other_api_key": other_api_key,
        "inactive_api_key": inactive_api_key,
        "plan": DEMO_PLAN,
        **seed_partners(PartnerService(PartnerStore(dynamodb, partner_table))),
    }


def seed_partners(partners: PartnerService) -> dict[str, Any]:
    org = partners.create_org(DEMO_HANDLE, twin_active=True)
    client, client_secret = partners.create_client(org.org_id, KNOWN_SCOPES)
    limited, limited_secret = partners.create_client(org.org_id, LIMITED_SCOPES)
    _, sandbox_api_key = partners.create_sandbox_key(org.org_id, KNOWN_SCOPES)
    return {
        "org_id": org.org_id,
        "client_id": client.client_id,
        "client_secret": client_secret,
        "limited_client_id": limited.client_id,
        "limited_client_secret": limited_secret,
        "sandbox_api_key": sandbox_api_key,
    }
