"""ANY method a Partner API path has no route for: 405 with ``Allow`` (OPTIONS: 204), as a problem."""

from fashionos.apidocs import method_fallback
from fashionos.partner.http import method_not_allowed_problem

METHOD_FALLBACK = True  # no operation of its own: the generator documents the routes it guards

lambda_handler = method_fallback("partner", method_not_allowed_problem)
