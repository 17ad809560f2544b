"""PATCH /v1/affiliates/links/{link_id}: status (disable, enable), campaign, expiry (only the fields sent).

``If-Match`` (the ``ETag`` of a read) makes the change conditional: 412 if the link moved since.
"""

from fashionos.affiliates import views
from fashionos.affiliates.container import link_service
from fashionos.affiliates.errors import ExpiryInPast, LinkNotFound, LinkVersionMismatch
from fashionos.affiliates.params import LINK_ID
from fashionos.affiliates.requests import LinkUpdate
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Update an affiliate link",
    description="A `disabled` link (or one past its `expires_at`) answers its short URL with a 404 page; "
    "`active` brings it back. The destination never changes: make a new link. `stats` are of every day.",
    scope="affiliates:write",
    path=(LINK_ID,),
    body=LinkUpdate,
    responses={200: views.Link},
    errors=(LinkNotFound, ExpiryInPast, LinkVersionMismatch, Contended),
    if_match=True,
    etag=True,
)


def update(request: PartnerRequest) -> Response:
    changes = request.parse(LinkUpdate)
    link, stats = link_service().update(request.org_id, request.path("link_id"), changes, request.if_match())
    return json_response(link.public(request.base_url, stats), version=link.version)


lambda_handler = api_entrypoint(update, OPERATION)
