"""ANY method an Integration API path has no route for: 405 with ``Allow`` (OPTIONS: 204)."""

from fashionos.apidocs import method_fallback
from fashionos.integration.api import method_not_allowed

METHOD_FALLBACK = True  # no operation of its own: the generator documents the routes it guards

lambda_handler = method_fallback("integration", method_not_allowed)
