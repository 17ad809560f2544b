"""POST /v1/storefronts/{storefront_id}/products: create (201) or replace (200) the listing of a sku.

``If-Match`` (the ``ETag`` of a read) makes the replacement conditional: 412 if the listing moved since.
"""

from fashionos.commerce.container import product_service
from fashionos.commerce.products import Upserted
from fashionos.commerce.requests import ProductUpsert
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

SCOPE = "products:write"


def upsert(request: PartnerRequest) -> Response:
    listing = request.parse(ProductUpsert)
    result = product_service().upsert(
        request.org_id,
        request.path("storefront_id"),
        listing,
        if_match=request.if_match(),
        claim=request.claim(upserted),
    )
    return upserted(result)


def upserted(result: Upserted) -> Response:
    product = result.product
    return json_response(product.public(), status=201 if result.created else 200, version=product.version)


lambda_handler = api_entrypoint(upsert, scope=SCOPE)
