import pytest

from fashionos.integration.cors import cors_headers, preflight_headers


@pytest.mark.parametrize(
    "origin",
    [
        "https://wearfits.com",
        "https://app.wearfits.com",
        "https://a.b.wearfits.com",
        "https://APP.wearfits.com",
    ],
)
def test_wearfits_and_its_subdomains_are_allowed(origin: str) -> None:
    assert cors_headers(origin)["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize(
    "origin",
    [
        "https://evilwearfits.com",
        "http://app.wearfits.com",
        "https://wearfits.com.evil.com",
        "https://app.wearfits.com:8443",
        "https://app.wearfits.com/",
        "https://-x.wearfits.com",
        "null",
        "",
        None,
    ],
)
def test_other_origins_get_no_allow_origin(origin: str | None) -> None:
    assert "Access-Control-Allow-Origin" not in cors_headers(origin)
    assert "Access-Control-Allow-Origin" not in preflight_headers(origin, "POST")
    assert cors_headers(origin)["Vary"] == "Origin"


def test_preflight_allows_the_idempotency_key_header() -> None:
    headers = preflight_headers("https://app.wearfits.com", "POST")
    assert headers["Access-Control-Allow-Methods"] == "POST"
    assert "Idempotency-Key" in headers["Access-Control-Allow-Headers"]
