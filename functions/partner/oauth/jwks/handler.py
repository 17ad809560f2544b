"""GET /.well-known/jwks.json: the public keys that verify our access tokens (current and previous)"""

from fashionos.partner.container import signing_keys
from fashionos.partner.http import PartnerRequest, Response, document_entrypoint, json_response

# Five minutes: a rotated-in key is published before it signs anything (SECRET_CACHE_SECONDS), and a
# verifier that meets an unknown kid refetches anyway.
CACHE_CONTROL = "public, max-age=300"


def jwks(request: PartnerRequest) -> Response:
    return json_response(signing_keys().jwks(), cache_control=CACHE_CONTROL)


lambda_handler = document_entrypoint(jwks)
