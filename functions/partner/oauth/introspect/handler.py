"""POST /oauth/introspect (OAuth 2.0 Token Introspection, RFC 7662)"""

from fashionos.contract import Operation
from fashionos.errors import (
    OAuthInvalidClient,
    OAuthInvalidRequest,
    OAuthTooManyAttempts,
    SigningKeysUnavailable,
)
from fashionos.identity import views
from fashionos.identity.oauth import JSON, NO_STORE, TokenOperationForm, parse_token_operation_request
from fashionos.identity.token_operations import introspect_token
from fashionos.partner.container import partner_service, token_verifier
from fashionos.partner.http import PartnerRequest, Response, oauth_entrypoint
from fashionos.settings import token_settings

OPERATION = Operation(
    "Introspect an access token",
    description="Whether one of the client's own access tokens is active, and its claims; any other token "
    '(invalid, expired, revoked, another client\'s) is `{"active": false}`.',
    body=TokenOperationForm,
    responses={200: views.Introspection},
    errors=(OAuthInvalidRequest, OAuthInvalidClient, OAuthTooManyAttempts, SigningKeysUnavailable),
)


def introspect(request: PartnerRequest) -> Response:
    operation = parse_token_operation_request(request.headers, request.body)
    body = introspect_token(
        operation,
        partner_service(),
        token_verifier(request.base_url),
        issuer=request.base_url,
        audience=token_settings().token_audience,
    )
    return Response(200, {"Content-Type": JSON, **NO_STORE}, body)


lambda_handler = oauth_entrypoint(introspect, allow="POST")
