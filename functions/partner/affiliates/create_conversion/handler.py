"""POST /v1/affiliates/conversions: a sale attributed to a click (201; 200 with the first for a repeat of
the same click and order)."""

from fashionos.affiliates import views
from fashionos.affiliates.container import conversion_service
from fashionos.affiliates.errors import AttributionWindowExpired, ClickNotFound, ConversionTimeInvalid
from fashionos.affiliates.records import Conversion
from fashionos.affiliates.requests import ConversionCreate
from fashionos.contract import Operation
from fashionos.errors import Contended
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response

OPERATION = Operation(
    "Record a conversion",
    description="`click_id` is the `fos_click` the redirect added to the destination. One conversion per "
    "click and `order_id` (or none): sending it again answers the first, 200. It must occur (`occurred_at`, "
    "now by default) after the click and within its link's attribution window (422 "
    "`attribution_window_expired`). Orders created with `affiliate_click_id` convert by themselves.",
    scope="affiliates:write",
    body=ConversionCreate,
    responses={200: views.Conversion, 201: views.Conversion},
    errors=(ClickNotFound, ConversionTimeInvalid, AttributionWindowExpired, Contended),
)


def create(request: PartnerRequest) -> Response:
    body = request.parse(ConversionCreate)
    conversion, new = conversion_service().record(request.org_id, body, request.claim(created))
    return created(conversion) if new else json_response(conversion.public())


def created(conversion: Conversion) -> Response:
    return json_response(conversion.public(), status=201)


lambda_handler = api_entrypoint(create, OPERATION)
