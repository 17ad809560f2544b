"""POST /v1/storefronts/{storefront_id}/products: create (201) or replace (200) the listing of a sku.

``If-Match`` (the ``ETag`` of a read) makes the replacement conditional: 412 if the listing moved since.
"""

from fashionos.commerce import views
from fashionos.commerce.container import product_service
from fashionos.commerce.errors import (
    CurrencyMismatch,
    ReservedStock,
    SkuTaken,
    StorefrontNotActive,
    StorefrontNotFound,
    TooManyChanges,
    VersionMismatch,
)
from fashionos.commerce.params import STOREFRONT_ID
from fashionos.commerce.products import MAX_SKU_CHANGES, Upserted
from fashionos.commerce.requests import ProductUpsert
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Create or replace a product",
    description="The listing of `sku` is created (201) or replaced whole (200; variants not sent are "
    "removed, and a request that changes nothing writes nothing). Every price must be in the storefront's "
    f"currency, and one request can add or remove at most {MAX_SKU_CHANGES} variant skus (422 otherwise). "
    "With `If-Match`, only a listing still at that version is replaced.",
    scope="products:write",
    path=(STOREFRONT_ID,),
    body=ProductUpsert,
    responses={200: views.Product, 201: views.Product},
    errors=(
        CurrencyMismatch,
        TooManyChanges,
        StorefrontNotFound,
        StorefrontNotActive,
        SkuTaken,
        ReservedStock,
        VersionMismatch,
        Contended,
    ),
    if_match=True,
    etag=True,
)


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


lambda_handler = api_entrypoint(upsert, OPERATION)
