"""POST /oauth/revoke (OAuth 2.0 Token Revocation, RFC 7009)"""

from fashionos.identity.oauth import NO_STORE, parse_token_operation_request
from fashionos.identity.token_operations import revoke_token
from fashionos.partner.container import partner_service, token_verifier
from fashionos.partner.http import PartnerRequest, Response, oauth_entrypoint


def revoke(request: PartnerRequest) -> Response:
    operation = parse_token_operation_request(request.headers, request.body)
    revoke_token(operation, partner_service(), token_verifier(request.base_url))
    # RFC 7009 §2.2: 200 whether or not there was anything to revoke; no body.
    return Response(200, dict(NO_STORE), None)


lambda_handler = oauth_entrypoint(revoke, allow="POST")
