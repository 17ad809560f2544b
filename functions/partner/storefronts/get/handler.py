"""GET /v1/storefronts/{storefront_id}"""

from fashionos.commerce.container import storefront_service
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "storefronts:read"


def get(request: PartnerRequest) -> Response:
    return json_response(storefront_service().get(request.org_id, request.path("storefront_id")).public())


lambda_handler = api_entrypoint(get, scope=SCOPE)
