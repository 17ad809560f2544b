"""GET /v1/affiliates/domains: the org's registered domains, alphabetically."""

from fashionos.affiliates import views
from fashionos.affiliates.container import domain_service
from fashionos.affiliates.records import public_domain
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "List the destination domains",
    scope="affiliates:read",
    responses={200: views.DomainList},
)


def list_domains(request: PartnerRequest) -> Response:
    domains = domain_service().domains(request.org_id)
    return json_response({"data": [public_domain(d.domain, d.created_at) for d in domains]})


lambda_handler = api_entrypoint(list_domains, OPERATION)
