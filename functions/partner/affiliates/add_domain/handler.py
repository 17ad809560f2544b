"""POST /v1/affiliates/domains: register a web domain of the org (201; 200 when it already was)."""

from fashionos.affiliates import views
from fashionos.affiliates.container import domain_service
from fashionos.affiliates.records import public_domain
from fashionos.affiliates.requests import DomainAdd
from fashionos.contract import Operation
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Register a destination domain",
    description="Links may send shoppers to this domain and its subdomains, over https only. The domain is "
    "stored lower-cased, without a trailing dot; registering it again changes nothing (200).",
    scope="affiliates:write",
    body=DomainAdd,
    responses={200: views.Domain, 201: views.Domain},
)


def add(request: PartnerRequest) -> Response:
    body = request.parse(DomainAdd)
    domain, added = domain_service().add_domain(request.org_id, body.domain)
    return json_response(public_domain(domain.domain, domain.created_at), status=201 if added else 200)


lambda_handler = api_entrypoint(add, OPERATION)
