import pytest

from fashionos import aws, settings
from fashionos.identity import partners
from fashionos.integration import api, handshake
from fashionos.partner import container
from fashionos.usage import service
from fashionos.webhooks import container as webhooks


@pytest.fixture(autouse=True)
def _fresh_container() -> None:
    """Each test starts like a new Lambda container: no cached settings, clients or secrets."""
    settings.settings.cache_clear()
    settings.partner_settings.cache_clear()
    settings.webhook_settings.cache_clear()
    partners.partner_service.cache_clear()
    container.signing_keys.cache_clear()
    container.rate_limiter.cache_clear()
    aws.dynamodb.cache_clear()
    aws.secretsmanager.cache_clear()
    aws.sqs.cache_clear()
    for cached in (
        webhooks.webhook_service,
        webhooks.event_service,
        webhooks.delivery_service,
        webhooks.fanout,
        webhooks.delivery_worker,
        webhooks.delivery_queue,
    ):
        cached.cache_clear()
    service.usage_service.cache_clear()
    api.rate_limiter.cache_clear()
    handshake.token_cache.clear()
