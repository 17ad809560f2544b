"""POST /api/v1/integration/set-user-product-number"""

from fashionos.contract import Operation
from fashionos.errors import IdempotencyInProgress, IdempotencyKeyReused, UserNotFound
from fashionos.integration.api import IntegrationApi, IntegrationRequest, Success, entrypoint, ok
from fashionos.usage.container import usage_service
from fashionos.usage.models import ProductNumberSet

OPERATION = Operation(
    "Set a user's product count",
    body=ProductNumberSet,
    responses={200: Success},
    errors=(UserNotFound, IdempotencyInProgress, IdempotencyKeyReused),
)

app = IntegrationApi()


@app.post("/api/v1/integration/set-user-product-number")
def set_user_product_number(request: IntegrationRequest) -> Success:
    product_number = request.parse(ProductNumberSet)
    result = usage_service().set_product_count(product_number, request.idempotency)
    return ok("Product count set successfully", warnings=result.warnings)


lambda_handler = entrypoint(app)
