"""POST /api/v1/integration/increase-api-key-usage-count"""

from fashionos.contract import Operation
from fashionos.errors import (
    ApiKeyInactive,
    ApiKeyNotFound,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    OwnershipMismatch,
    UserNotFound,
)
from fashionos.integration.api import IntegrationApi, IntegrationRequest, Success, entrypoint, ok
from fashionos.usage.container import usage_service
from fashionos.usage.models import ApiKeyUsageIncrease

OPERATION = Operation(
    "Count API-key calls",
    description="Adds `count` to this period's API-call counter of the key and of its owner.",
    body=ApiKeyUsageIncrease,
    responses={200: Success},
    errors=(
        ApiKeyNotFound,
        ApiKeyInactive,
        OwnershipMismatch,
        UserNotFound,
        IdempotencyInProgress,
        IdempotencyKeyReused,
    ),
)

app = IntegrationApi()


@app.post("/api/v1/integration/increase-api-key-usage-count")
def increase_api_key_usage(request: IntegrationRequest) -> Success:
    increase = request.parse(ApiKeyUsageIncrease)
    result = usage_service().increase_api_key_usage(increase, request.idempotency)
    return ok("API key usage increased successfully", warnings=result.warnings)


lambda_handler = entrypoint(app)
