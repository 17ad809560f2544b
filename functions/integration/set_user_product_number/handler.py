"""POST /api/v1/integration/set-user-product-number"""

from typing import Any

from fashionos.integration.api import IntegrationApi, IntegrationRequest, entrypoint, ok
from fashionos.usage.container import usage_service
from fashionos.usage.models import ProductNumberSet

app = IntegrationApi()


@app.post("/api/v1/integration/set-user-product-number")
def set_user_product_number(request: IntegrationRequest) -> dict[str, Any]:
    product_number = request.parse(ProductNumberSet)
    result = usage_service().set_product_count(product_number, request.idempotency)
    return ok("Product count set successfully", warnings=result.warnings)


lambda_handler = entrypoint(app)
