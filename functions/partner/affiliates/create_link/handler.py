"""POST /v1/affiliates/links: a short link to a page of one of the org's registered domains."""

from fashionos.affiliates import views
from fashionos.affiliates.container import link_service
from fashionos.affiliates.errors import ExpiryInPast, ReservedQueryParameter
from fashionos.affiliates.records import Link, Stats
from fashionos.affiliates.requests import LinkCreate
from fashionos.commerce.errors import ProductNotFound
from fashionos.contract import Operation
from fashionos.destinations import DestinationNotAllowed
from fashionos.errors import Contended, InvalidCombination
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Create an affiliate link",
    description="`destination_url` must be an https URL on one of the org's registered domains (or their "
    "subdomains): 422 `destination_not_allowed` otherwise. Its `short_url` redirects there with the `utm` "
    "parameters and a click id (`fos_click`) added to the query, so the destination's query must hold "
    "neither `fos_click` nor a UTM parameter `utm` sets. `product_id`, when given, is a listing of one of "
    "the org's storefronts; `expires_at` is in the future.",
    scope="affiliates:write",
    body=LinkCreate,
    responses={201: views.Link},
    errors=(
        DestinationNotAllowed,
        ReservedQueryParameter,
        InvalidCombination,
        ExpiryInPast,
        ProductNotFound,
        Contended,
    ),
    etag=True,
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(LinkCreate)

    def created(link: Link) -> Response:
        return json_response(link.public(request.base_url, Stats()), status=201, version=link.version)

    return created(link_service().create(request.org_id, body, request.claim(created)))


lambda_handler = api_entrypoint(create, OPERATION)
