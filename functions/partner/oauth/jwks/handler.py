"""GET /.well-known/jwks.json: the public keys that verify our access tokens (current and previous)"""

from fashionos.contract import Operation
from fashionos.errors import SigningKeysUnavailable
from fashionos.identity import views
from fashionos.partner.container import signing_keys
from fashionos.partner.http import PartnerRequest, Response, document_entrypoint, json_response

OPERATION = Operation(
    "Get the JSON Web Key Set",
    description="The public keys that verify access tokens: pick the one whose `kid` the token's header "
    "names, and refetch when it names one this set does not have.",
    responses={200: views.Jwks},
    errors=(SigningKeysUnavailable,),
)

# Five minutes: a rotated-in key is published before it signs anything (SECRET_CACHE_SECONDS), and a
# verifier that meets an unknown kid refetches anyway.
CACHE_CONTROL = "public, max-age=300"


def jwks(request: PartnerRequest) -> Response:
    return json_response(signing_keys().jwks(), cache_control=CACHE_CONTROL)


lambda_handler = document_entrypoint(jwks)
