"""Demo data for a local stack: two users on a small plan, their API keys, one deactivated key; a partner org
(linked to the first user: its Dashboard account; approved for AR and AI try-on; with a registered web
domain) with an OAuth client holding every scope, a client holding only ``profile:read``, and a sandbox key;
and the org's storefront with two active listings (one without variants, one with two), every sellable sku
in stock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fashionos.commerce.inventory import InventoryService
from fashionos.commerce.products import ProductService
from fashionos.commerce.requests import InventorySet, ProductUpsert, StorefrontCreate
from fashionos.commerce.store import CommerceStore
from fashionos.commerce.storefronts import StorefrontService
from fashionos.events.outbox import Outbox
from fashionos.events.store import EventStore
from fashionos.identity.partner_models import KNOWN_SCOPES, TRYON_TYPES
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
DEMO_DOMAIN = "yourbrand.example"  # where its affiliate links may point and try-on sessions return
LIMITED_SCOPES = frozenset({"profile:read"})
DEMO_STOREFRONT = StorefrontCreate(
    handle="@yourbrand_shop",
    name="Your Brand",
    description="The demo storefront of @yourbrand",
    currency="EUR",
    visibility="public",
)
# (listing, on hand per sellable sku): the first has no variants (its own sku is sold), the second two.
DEMO_LISTINGS = (
    (
        ProductUpsert.model_validate(
            {
                "sku": "TEE-WHITE",
                "title": "White tee",
                "price": {"amount": 2500, "currency": "EUR"},
                "status": "active",
                "attributes": {"material": "cotton"},
            }
        ),
        25,
    ),
    (
        ProductUpsert.model_validate(
            {
                "sku": "HOODIE",
                "title": "Hoodie",
                "price": {"amount": 6000, "currency": "EUR"},
                "status": "active",
                "variants": [
                    {"sku": "HOODIE-S", "size": "S"},
                    {"sku": "HOODIE-M", "size": "M", "price": {"amount": 6500, "currency": "EUR"}},
                ],
            }
        ),
        10,
    ),
)
DEMO_ACTOR = "fashionos-admin"  # who set the demo stock, in each sku's record of changes


def seed(
    dynamodb: DynamoDBClient,
    secrets: SecretsManagerClient,
    table: str,
    secret_arn: str,
    partner_table: str,
    commerce_table: str | None = None,
    event_table: str | None = None,
) -> dict[str, Any]:
    """Create the demo data; returns the credentials a caller needs (the keys are only known now). The demo
    storefront only with ``commerce_table`` and ``event_table`` (its listings' events go to the outbox)."""
    if (commerce_table is None) != (event_table is None):
        raise ValueError("the demo storefront needs both commerce_table and event_table")
    service = UsageService(UsageStore(dynamodb, table))
    service.set_plan(DEMO_PLAN, DEMO_LIMITS)
    user = service.create_user(DEMO_PLAN)
    other = service.create_user(DEMO_PLAN)
    _, api_key = service.create_api_key(user.user_id)
    _, other_api_key = service.create_api_key(other.user_id)
    inactive, inactive_api_key = service.create_api_key(user.user_id)
    service.deactivate_api_key(inactive.key_id)
    partners = seed_partners(PartnerService(PartnerStore(dynamodb, partner_table)), user.user_id)
    commerce = (
        seed_commerce(dynamodb, commerce_table, event_table, partners["org_id"])
        if commerce_table is not None and event_table is not None
        else {}
    )
    return {
        "handshake": current_handshake(secrets, secret_arn),
        "user_id": user.user_id,
        "api_key": api_key,
        "other_user_id": other.user_id,
        "other_api_key": other_api_key,
        "inactive_api_key": inactive_api_key,
        "plan": DEMO_PLAN,
        **partners,
        **commerce,
    }


def seed_partners(partners: PartnerService, user_id: str) -> dict[str, Any]:
    """The demo org, as the Dashboard user ``user_id``'s account."""
    org = partners.create_org(DEMO_HANDLE, twin_active=True, user_id=user_id)
    partners.set_tryon_types(org.org_id, TRYON_TYPES)
    partners.add_domain(org.org_id, DEMO_DOMAIN)
    client, client_secret = partners.create_client(org.org_id, KNOWN_SCOPES)
    limited, limited_secret = partners.create_client(org.org_id, LIMITED_SCOPES)
    _, sandbox_api_key = partners.create_sandbox_key(org.org_id, KNOWN_SCOPES)
    return {
        "org_id": org.org_id,
        "affiliate_domain": DEMO_DOMAIN,
        "client_id": client.client_id,
        "client_secret": client_secret,
        "limited_client_id": limited.client_id,
        "limited_client_secret": limited_secret,
        "sandbox_api_key": sandbox_api_key,
    }


def seed_commerce(
    dynamodb: DynamoDBClient, commerce_table: str, event_table: str, org_id: str
) -> dict[str, Any]:
    """The org's demo storefront and listings, through the services the API uses (``product.updated``
    events included); returns the storefront, the listing without variants and its sku."""
    store = CommerceStore(dynamodb, commerce_table)
    storefronts = StorefrontService(store)
    products = ProductService(store, storefronts, Outbox(EventStore(dynamodb, event_table)))
    inventory = InventoryService(store, storefronts)
    storefront = storefronts.create(org_id, DEMO_STOREFRONT)
    listed = []
    for listing, on_hand in DEMO_LISTINGS:
        product = products.upsert(org_id, storefront.storefront_id, listing).product
        for sku in product.sellable_skus:
            inventory.set(org_id, storefront.storefront_id, sku, InventorySet(on_hand=on_hand), DEMO_ACTOR)
        listed.append(product)
    plain = listed[0]
    return {"storefront_id": storefront.storefront_id, "product_id": plain.product_id, "sku": plain.sku}
