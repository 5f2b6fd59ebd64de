"""Swagger UI in a real headless browser: authorize, try "Generate a new API
key", see the 201 with a key. A screenshot is kept in test-artifacts/."""

import re
from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser_page():
    require(CHROMIUM.exists(), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        yield page
        browser.close()


def try_generate(page, account, name: str):
    """Opens Generate, tries it out with the operation's own fields filled
    (Authorization included) and executes it; returns the operation."""
    operation = page.locator("#operations-Api_keys-AuthApiKeysController_generate")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator('tr[data-param-name="Authorization"] input').fill(f"Bearer {account.token}")
    operation.locator('tr[data-param-name="organization-id"] input').fill(account.organization_id)
    operation.locator("textarea.body-param__text").fill(f'{{"name": "{name}"}}')
    operation.locator("button.execute").click()
    return operation


def test_generate_from_swagger_ui(start_server, account, browser_page, engine_name):
    server = start_server()
    page = browser_page
    page.goto(f"{server.url}/ui/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=30_000)

    page.click("button.btn.authorize")
    page.fill(".auth-container input", account.token)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")

    operation = try_generate(page, account, "from Swagger UI")

    response = operation.locator(".live-responses-table tr.response").first
    status = response.locator(".response-col_status")
    status.wait_for(timeout=30_000)
    assert status.inner_text().strip().startswith("201")
    body = response.locator(".response-col_description pre").first
    assert re.search(r'"key": "bc_[0-9a-f]{72}"', body.inner_text())

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"swagger-ui-generate-{engine_name}.png"), full_page=True)


def test_the_operations_own_authorization_field_works_without_authorize(
    start_server, account, browser_page, engine_name
):
    server = start_server()
    page = browser_page
    page.goto(f"{server.url}/ui/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=30_000)

    operation = try_generate(page, account, "field only")

    status = operation.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=30_000)
    assert status.inner_text().strip().startswith("201")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"swagger-ui-authorization-field-{engine_name}.png"), full_page=True
    )
