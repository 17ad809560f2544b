"""GET /api/v1/integration/openapi.json, /docs and /docs/{asset}: the Integration API's OpenAPI document
and reference."""

from fashionos.apidocs import docs_entrypoint, operations, stage_url
from fashionos.integration.api import not_found

OPERATIONS = operations("/api/v1/integration")

lambda_handler = docs_entrypoint("integration", base_url=stage_url, not_found=not_found)
