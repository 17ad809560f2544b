"""GET /v1/storefronts/{storefront_id}"""

from fashionos.commerce import views
from fashionos.commerce.container import storefront_service
from fashionos.commerce.errors import StorefrontNotFound
from fashionos.commerce.params import STOREFRONT_ID
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get a storefront",
    scope="storefronts:read",
    path=(STOREFRONT_ID,),
    responses={200: views.Storefront},
    errors=(StorefrontNotFound,),
)


def get(request: PartnerRequest) -> Response:
    return json_response(storefront_service().get(request.org_id, request.path("storefront_id")).public())


lambda_handler = api_entrypoint(get, OPERATION)
