"""POST /api/v1/integration/increase-tryon-usage-count"""

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
from fashionos.usage.models import TryOnUsageIncrease

OPERATION = Operation(
    "Count AR or AI try-ons",
    description="Adds `count` to this period's AR or AI try-on counter of the user (the one `user_id` "
    "names, or the owner of `api_key`), and of the key when one is given.",
    body=TryOnUsageIncrease,
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


@app.post("/api/v1/integration/increase-tryon-usage-count")
def increase_tryon_usage(request: IntegrationRequest) -> Success:
    increase = request.parse(TryOnUsageIncrease)
    result = usage_service().increase_tryon(increase, request.idempotency)
    return ok(f"{increase.type} tryon usage increased successfully", warnings=result.warnings)


lambda_handler = entrypoint(app)
