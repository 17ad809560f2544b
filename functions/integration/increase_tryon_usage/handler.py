"""POST /api/v1/integration/increase-tryon-usage-count"""

from typing import Any

from fashionos.integration.api import IntegrationApi, IntegrationRequest, entrypoint, ok
from fashionos.usage.container import usage_service
from fashionos.usage.models import TryOnUsageIncrease

app = IntegrationApi()


@app.post("/api/v1/integration/increase-tryon-usage-count")
def increase_tryon_usage(request: IntegrationRequest) -> dict[str, Any]:
    increase = request.parse(TryOnUsageIncrease)
    result = usage_service().increase_tryon(increase, request.idempotency)
    return ok(f"{increase.type} tryon usage increased successfully", warnings=result.warnings)


lambda_handler = entrypoint(app)
