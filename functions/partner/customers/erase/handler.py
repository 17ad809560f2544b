"""POST /v1/customers/erase: a shopper's personal data removed from the org's orders."""

from fashionos.contract import Operation
from fashionos.exports import views
from fashionos.exports.requests import CustomerErase
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, json_response
from fashionos.times import rfc3339_now

OPERATION = Operation(
    "Erase a shopper's personal data",
    description="GDPR erasure of one shopper: every order of the caller's org whose customer has `email` "
    "(without regard to case) loses its customer (`customer: null`, `customer_erased_at`); its amounts, "
    "lines and status stay, for accounting. So do the order events and stored replays that carried it. The "
    "same email in other orgs' orders is theirs to erase. Erasing again changes nothing more.",
    scope="org:admin",
    body=CustomerErase,
    responses={200: views.CustomerErasure},
)


def erase(request: PartnerRequest) -> Response:
    from fashionos.privacy.erase import erase_customer

    email = request.parse(CustomerErase).email
    erased_at = rfc3339_now()  # one time for the answer and the response its Idempotency-Key stores

    def erased(orders: int) -> Response:
        body: views.CustomerErasure = {
            "object": "customer_erasure",
            "orders_erased": orders,
            "erased_at": erased_at,
        }
        return json_response(body)

    return erased(erase_customer(request.org_id, email, claim=request.claim(erased)))


lambda_handler = api_entrypoint(erase, OPERATION)
