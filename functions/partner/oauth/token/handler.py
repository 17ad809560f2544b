"""POST /oauth/token (OAuth 2.0 client credentials, RFC 6749 §4.4; RFC 9068 access tokens)"""

from fashionos.contract import Operation
from fashionos.errors import (
    OAuthInvalidClient,
    OAuthInvalidRequest,
    OAuthInvalidScope,
    OAuthTooManyAttempts,
    OAuthUnauthorizedClient,
    OAuthUnsupportedGrantType,
    SigningKeysUnavailable,
)
from fashionos.identity import views
from fashionos.identity.grant import grant_client_credentials
from fashionos.identity.oauth import TokenForm, parse_token_request, token_response
from fashionos.partner.container import partner_service, token_issuer
from fashionos.partner.http import PartnerRequest, Response, oauth_entrypoint
from fashionos.settings import token_settings

OPERATION = Operation(
    "Get an access token",
    description="The client credentials grant: a 1-hour RS256 access token (RFC 9068) carrying the scopes "
    "asked for, or all the client's. Repeated failed authentications of one client are refused for a "
    "while (429 with Retry-After).",
    body=TokenForm,
    responses={200: views.TokenResponse},
    errors=(
        OAuthInvalidRequest,
        OAuthInvalidClient,
        OAuthUnauthorizedClient,
        OAuthUnsupportedGrantType,
        OAuthInvalidScope,
        OAuthTooManyAttempts,
        SigningKeysUnavailable,
    ),
)


def token(request: PartnerRequest) -> Response:
    token_request = parse_token_request(request.headers, request.body)
    issued = grant_client_credentials(
        token_request,
        partner_service(),
        token_issuer(request.base_url),
        token_settings().token_audience,
    )
    return Response(*token_response(issued.access_token, issued.expires_in, issued.scopes))


lambda_handler = oauth_entrypoint(token, allow="POST")
