"""GET /openapi.json, GET /docs and GET /docs/{asset}: the Partner API's OpenAPI document and reference."""

from fashionos.apidocs import docs_entrypoint, operations
from fashionos.partner.http import base_url, not_found_problem

OPERATIONS = operations("")

lambda_handler = docs_entrypoint("partner", base_url=base_url, not_found=not_found_problem)
