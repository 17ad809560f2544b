"""GET /v1/me: the authenticated partner's profile and twin status, and what its credentials allow"""

from fashionos.contract import Operation
from fashionos.errors import OrgNotFound
from fashionos.identity import views
from fashionos.partner.container import partner_service
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Get the authenticated partner",
    scope="profile:read",
    responses={200: views.Me},
    errors=(OrgNotFound,),
)


def me(request: PartnerRequest) -> Response:
    assert request.principal is not None  # api_entrypoint gives every /v1 route its principal
    principal = request.principal
    org = partner_service().get_org(principal.org_id)
    body: views.Me = {
        "id": org.user_id,
        "handle": org.handle,
        "twin_active": org.twin_active,
        "org": {"id": org.org_id, "handle": org.handle, "display_name": org.display_name},
        "credential": principal.credential,
        "client_id": principal.client_id,
        "scopes": sorted(principal.scopes),
        "rate_limit": {
            "tier": principal.rate_tier,
            "limit": principal.requests_per_minute,
            "window_seconds": 60,
        },
    }
    return json_response(body)


lambda_handler = api_entrypoint(me, OPERATION)
