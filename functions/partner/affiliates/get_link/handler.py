"""GET /v1/affiliates/links/{link_id}?from=&to=: one link and its stats (its version as the ETag)."""

from fashionos.affiliates import views
from fashionos.affiliates.container import link_service
from fashionos.affiliates.errors import LinkNotFound
from fashionos.affiliates.links import stats_range
from fashionos.affiliates.params import FROM, LINK_ID, TO
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get an affiliate link",
    scope="affiliates:read",
    path=(LINK_ID,),
    query=(FROM, TO),
    responses={200: views.Link},
    errors=(LinkNotFound,),
    etag=True,
)


def get(request: PartnerRequest) -> Response:
    days = stats_range(request.query.get("from"), request.query.get("to"))
    link, stats = link_service().get(request.org_id, request.path("link_id"), days)
    return json_response(link.public(request.base_url, stats), version=link.version)


lambda_handler = api_entrypoint(get, OPERATION)
