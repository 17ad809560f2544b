"""POST /v1/storefronts: a new storefront of the caller's org (its handle unique platform-wide)."""

from fashionos.commerce import views
from fashionos.commerce.container import storefront_service
from fashionos.commerce.errors import HandleTaken
from fashionos.commerce.records import Storefront
from fashionos.commerce.requests import StorefrontCreate
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Create a storefront",
    scope="storefronts:write",
    body=StorefrontCreate,
    responses={201: views.Storefront},
    errors=(HandleTaken, Contended),
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(StorefrontCreate)
    return created(storefront_service().create(request.org_id, body, request.claim(created)))


def created(storefront: Storefront) -> Response:
    return json_response(storefront.public(), status=201)


lambda_handler = api_entrypoint(create, OPERATION)
