"""GET and HEAD /r/{code}: the public short link. A 302 to its destination (a GET counts the click and adds
its id as ``fos_click``), or a 404 page; never a redirect to anywhere else."""

from fashionos.affiliates.container import click_service
from fashionos.affiliates.params import CODE
from fashionos.affiliates.redirect import redirect_entrypoint
from fashionos.contract import Content, Operation

PAGE = Content(("text/html",), {"type": "string", "description": "A short HTML page saying why"})
OPERATION = Operation(
    "Follow an affiliate link",
    description="Public, no credentials. A live link's code answers 302 to its destination with the link's "
    "UTM parameters and a click id (`fos_click=clk_...`) added to the destination's query; HEAD answers the "
    "same redirect without counting a click (nor a click id). The request's own query string is ignored. "
    "Link-preview bots and crawlers are redirected too, counted as `bot_clicks`. An unknown, disabled or "
    "expired code answers a 404 page, and too many requests from one address a 429 page with "
    "`Retry-After`. Nothing is cached (`Cache-Control: no-store`).",
    path=(CODE,),
    responses={302: None, 404: PAGE, 429: PAGE},
)


def follow(code: str, ip: str, user_agent: str | None, count: bool) -> str | None:
    return click_service().follow(code, ip, user_agent, count=count)


lambda_handler = redirect_entrypoint(follow)
