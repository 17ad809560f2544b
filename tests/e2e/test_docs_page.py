"""The Partner API's reference page (``GET /docs``) in a real headless Chromium: Swagger UI renders the
document, its Authorize dialog runs the OAuth client credentials flow against the token endpoint itself,
and "Try it out" on ``GET /v1/me`` shows the demo org, with nothing in the console (no CSP violation)
and nothing loaded from another origin (no CDN)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import E2E, DevStack

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HAVE_BROWSER = all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))
NO_BROWSER = (
    "headless Chromium not found: apt-get install chromium chromium-driver (tests/e2e/test_docs_page.py)"
)

pytestmark = [*E2E, pytest.mark.skipif(not HAVE_BROWSER, reason=NO_BROWSER)]

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
]
WAIT_SECONDS = 30
# Installed before any of the page's scripts run: every CSP violation, even one the console would not show.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}`);
});
"""
# The oauth2 scheme's section of the Authorize dialog (the dialog has one per security scheme).
OAUTH_SECTION = "//div[contains(@class, 'auth-container')][.//input[@id='client_id_clientCredentials']]"
PROFILE_READ = "label[for='profile:read-clientCredentials-checkbox-oauth2']"  # the scope's checkbox
ME = "operations-me-me"  # Swagger UI's id of an operation: tag, then operationId


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP_VIOLATIONS})
        yield driver
    finally:
        driver.quit()


def click(driver: webdriver.Chrome, element: WebElement) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_try_it_out_on_get_me_through_the_oauth_dialog(stack: DevStack, browser: webdriver.Chrome) -> None:
    wait = WebDriverWait(browser, WAIT_SECONDS)
    # given: the page, with Swagger UI's rendering of the document's operations
    browser.get(stack.url("/docs"))
    operation = wait.until(lambda driver: driver.find_element(By.ID, ME))
    assert browser.title == "Fashion OS Partner API reference"
    assert len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) > 10
    # when: the Authorize dialog gets the demo client (Swagger UI then asks the token endpoint itself)
    click(browser, browser.find_element(By.CSS_SELECTOR, ".auth-wrapper button.authorize"))
    oauth = wait.until(lambda driver: driver.find_element(By.XPATH, OAUTH_SECTION))
    oauth.find_element(By.ID, "client_id_clientCredentials").send_keys(stack.credentials["client_id"])
    oauth.find_element(By.ID, "client_secret_clientCredentials").send_keys(stack.credentials["client_secret"])
    click(browser, oauth.find_element(By.CSS_SELECTOR, PROFILE_READ))
    click(browser, oauth.find_element(By.CSS_SELECTOR, "button.authorize"))
    # then: authorized (Swagger UI offers Logout only once the token endpoint has answered with a token)
    wait.until(lambda _: "Authorized" in oauth.text and "Logout" in oauth.text)
    assert not oauth.find_elements(By.CSS_SELECTOR, ".errors")
    click(browser, browser.find_element(By.CSS_SELECTOR, ".modal-ux button.close-modal"))
    # when: GET /v1/me expanded (docs.js has tryItOutEnabled: it opens in "Try it out"), then Execute
    click(browser, operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control"))
    try_it_out = wait.until(lambda _: operation.find_element(By.CSS_SELECTOR, ".try-out__btn"))
    assert try_it_out.text == "Cancel"  # try-it-out is already on: the button now leaves it
    click(browser, operation.find_element(By.CSS_SELECTOR, "button.execute"))
    # then: the live response is the demo org, for the token of the dialog's client
    live = wait.until(lambda _: operation.find_element(By.CSS_SELECTOR, ".live-responses-table .response"))
    assert live.find_element(By.CSS_SELECTOR, ".response-col_status").text.strip() == "200"
    body = json.loads(live.find_element(By.CSS_SELECTOR, ".response-col_description pre").text)
    assert body["org"]["handle"] == "@yourbrand"
    assert (body["credential"], body["client_id"]) == ("access_token", stack.credentials["client_id"])
    assert body["scopes"] == ["profile:read"]
    assert "Authorization: Bearer " in operation.find_element(By.CSS_SELECTOR, ".curl-command").text
    # and: every request went to this stage, and the console has no error (a CSP violation is one)
    resources: list[dict[str, Any]] = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => ({url: e.name, status: e.responseStatus}))"
    )
    assert [entry for entry in resources if not entry["url"].startswith(stack.base_url + "/")] == []
    statuses = {entry["url"].removeprefix(stack.base_url): entry["status"] for entry in resources}
    assert statuses == {
        "/docs/swagger-ui.css": 200,
        "/docs/swagger-ui-bundle.js": 200,
        "/docs/docs.js": 200,
        "/openapi.json": 200,
        "/oauth/token": 200,
        "/v1/me": 200,
    }
    assert browser.execute_script("return window.cspViolations") == []
    console = browser.get_log("browser")
    errors = [line for line in console if line["level"] == "SEVERE" or "Security Policy" in line["message"]]
    assert errors == []
