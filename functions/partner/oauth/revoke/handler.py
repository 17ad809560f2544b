"""POST /oauth/revoke (OAuth 2.0 Token Revocation, RFC 7009)"""

from fashionos.contract import Operation
from fashionos.errors import (
    OAuthInvalidClient,
    OAuthInvalidRequest,
    OAuthTooManyAttempts,
    SigningKeysUnavailable,
)
from fashionos.identity.oauth import NO_STORE, TokenOperationForm, parse_token_operation_request
from fashionos.identity.token_operations import revoke_token
from fashionos.partner.container import partner_service, token_verifier
from fashionos.partner.http import PartnerRequest, Response, oauth_entrypoint

OPERATION = Operation(
    "Revoke an access token",
    description="Revokes one of the client's own access tokens; any other token is left alone. 200 either "
    "way, with no body (RFC 7009 §2.2).",
    body=TokenOperationForm,
    responses={200: None},
    errors=(OAuthInvalidRequest, OAuthInvalidClient, OAuthTooManyAttempts, SigningKeysUnavailable),
)


def revoke(request: PartnerRequest) -> Response:
    operation = parse_token_operation_request(request.headers, request.body)
    revoke_token(operation, partner_service(), token_verifier(request.base_url))
    # RFC 7009 §2.2: 200 whether or not there was anything to revoke; no body.
    return Response(200, dict(NO_STORE), None)


lambda_handler = oauth_entrypoint(revoke, allow="POST")
