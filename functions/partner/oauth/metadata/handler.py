"""GET /.well-known/oauth-authorization-server: OAuth 2.0 Authorization Server Metadata (RFC 8414)"""

from fashionos.contract import Operation
from fashionos.identity import views
from fashionos.identity.oauth_metadata import authorization_server_metadata
from fashionos.partner.http import PartnerRequest, Response, document_entrypoint, json_response

OPERATION = Operation(
    "Get the authorization server metadata",
    responses={200: views.AuthorizationServerMetadata},
)


def metadata(request: PartnerRequest) -> Response:
    return json_response(
        authorization_server_metadata(request.base_url), cache_control="public, max-age=3600"
    )


lambda_handler = document_entrypoint(metadata)
