"""POST /api/v1/integration/increase-api-key-usage-count"""

from typing import Any

from fashionos.integration.api import IntegrationApi, IntegrationRequest, entrypoint, ok
from fashionos.usage.container import usage_service
from fashionos.usage.models import ApiKeyUsageIncrease

app = IntegrationApi()


@app.post("/api/v1/integration/increase-api-key-usage-count")
def increase_api_key_usage(request: IntegrationRequest) -> dict[str, Any]:
    increase = request.parse(ApiKeyUsageIncrease)
    result = usage_service().increase_api_key_usage(increase, request.idempotency)
    return ok("API key usage increased successfully", warnings=result.warnings)


lambda_handler = entrypoint(app)
