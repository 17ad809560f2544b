"""The Partner API's Lambda REQUEST authorizer, in front of every /v1 route"""

from fashionos.identity.authorizer import authenticate
from fashionos.identity.principal import Principal
from fashionos.partner.container import partner_service, token_verifier
from fashionos.partner.http import PartnerRequest, authorizer_entrypoint
from fashionos.settings import partner_settings


def authorize(request: PartnerRequest) -> Principal:
    return authenticate(
        request.headers,
        partner_service(),
        token_verifier(request.base_url),
        sandbox_keys=partner_settings().sandbox_keys,
    )


lambda_handler = authorizer_entrypoint(authorize)
