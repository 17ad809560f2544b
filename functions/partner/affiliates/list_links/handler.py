"""GET /v1/affiliates/links?campaign=&from=&to=: the org's links with their stats, oldest first."""

from fashionos.affiliates import views
from fashionos.affiliates.container import link_service
from fashionos.affiliates.links import stats_range
from fashionos.affiliates.params import CAMPAIGN_FILTER, FROM, LINK_CURSOR, TO
from fashionos.contract import Operation, Page
from fashionos.partner.http import PartnerRequest, Response, api_entrypoint, page_params, page_response

OPERATION = Operation(
    "List affiliate links and their performance",
    description="Each link's `stats` count the days from `from` to `to` (UTC, both included; every day by "
    "default): people's clicks, unique visitors per day, link-preview bots and crawlers apart, conversions "
    "and their revenue per currency.",
    scope="affiliates:read",
    query=(*page_params(LINK_CURSOR), CAMPAIGN_FILTER, FROM, TO),
    responses={200: Page(views.Link)},
)


def list_links(request: PartnerRequest) -> Response:
    limit, cursor = request.page()
    days = stats_range(request.query.get("from"), request.query.get("to"))
    links, more = link_service().page(request.org_id, request.query.get("campaign"), days, limit, cursor)
    return page_response([link.public(request.base_url, stats) for link, stats in links], more)


lambda_handler = api_entrypoint(list_links, OPERATION)
