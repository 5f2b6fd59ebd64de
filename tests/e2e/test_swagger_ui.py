"""Swagger UI in a real headless browser does what a user means with the
Authorization header: Authorize alone works, with or without a pasted
"Bearer ", the operation's own field wins when filled, descriptions read as
written, and / leads there. Screenshots are kept in test-artifacts/."""

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
GENERATE = "#operations-Api_keys-AuthApiKeysController_generate"
FIELD = 'tr[data-param-name="Authorization"]'


@pytest.fixture
def browser_page():
    require(CHROMIUM.exists(), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        yield page
        browser.close()


@pytest.fixture
def swagger_ui(start_server, browser_page):
    page = browser_page
    page.goto(f"{start_server().url}/ui/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=30_000)
    return page


def authorize(page, value: str) -> None:
    page.click("button.btn.authorize")
    page.fill(".auth-container input", value)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")


def open_generate(page):
    """Opens Generate and its Try it out; returns the operation."""
    operation = page.locator(GENERATE)
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    return operation


def execute_generate(operation, organization_id: str, name: str, field: str = "") -> str:
    """Fills the operation's fields (its own Authorization with ``field``),
    executes it and returns the status shown."""
    operation.locator(f"{FIELD} input").fill(field)
    operation.locator('tr[data-param-name="organization-id"] input').fill(organization_id)
    operation.locator("textarea.body-param__text").fill(f'{{"name": "{name}"}}')
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=30_000)
    return status.inner_text().strip()


def keep_screenshot(page, name: str, engine_name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"swagger-ui-{name}-{engine_name}.png"), full_page=True)


def test_generate_with_authorize_alone_shows_the_new_key(swagger_ui, account, engine_name):
    authorize(swagger_ui, account.token)
    operation = open_generate(swagger_ui)
    assert execute_generate(operation, account.organization_id, "from Swagger UI") == "201"
    body = operation.locator(".live-responses-table tr.response .response-col_description pre")
    assert re.search(r'"key": "bc_[0-9a-f]{72}"', body.first.inner_text())
    keep_screenshot(swagger_ui, "generate", engine_name)


def test_the_operations_authorization_field_starts_empty(swagger_ui):
    operation = open_generate(swagger_ui)
    assert operation.locator(f"{FIELD} input").input_value() == ""


def test_a_bearer_pasted_into_authorize_is_taken_off(swagger_ui, account):
    authorize(swagger_ui, f"Bearer {account.token}")
    operation = open_generate(swagger_ui)
    assert execute_generate(operation, account.organization_id, "pasted") == "201"


def test_the_operations_own_field_works_without_authorize(swagger_ui, account, engine_name):
    operation = open_generate(swagger_ui)
    status = execute_generate(
        operation, account.organization_id, "field only", field=f"Bearer {account.token}"
    )
    assert status == "201"
    keep_screenshot(swagger_ui, "authorization-field", engine_name)


def test_the_operations_own_field_takes_a_bare_token(swagger_ui, account):
    operation = open_generate(swagger_ui)
    status = execute_generate(operation, account.organization_id, "bare", field=account.token)
    assert status == "201"


def test_the_operations_own_field_wins_over_authorize(swagger_ui, account, other_account):
    """Authorize holds a token of another organization: only the field's
    token may act in the account's organization."""
    authorize(swagger_ui, other_account.token)
    operation = open_generate(swagger_ui)
    status = execute_generate(
        operation, account.organization_id, "field wins", field=f"Bearer {account.token}"
    )
    assert status == "201"


def test_the_authorization_description_shows_token_literally(swagger_ui):
    operation = open_generate(swagger_ui)
    description = operation.locator(f"{FIELD} .parameters-col_description").inner_text()
    assert "Value must be 'Bearer <token>' where <token> is an API key" in description
    assert "left empty, the token set with Authorize is sent" in description


def test_the_authorize_dialog_shows_token_literally(swagger_ui):
    swagger_ui.click("button.btn.authorize")
    dialog = swagger_ui.locator(".auth-container").first.inner_text()
    assert "'Authorization: Bearer <token>'" in dialog


def test_the_bare_root_leads_a_browser_to_swagger_ui(start_server, browser_page):
    server = start_server()
    browser_page.goto(f"{server.url}/")
    browser_page.wait_for_selector(".swagger-ui .information-container", timeout=30_000)
    assert browser_page.url == f"{server.url}/ui/"


def test_the_bare_root_is_a_302_to_ui(start_server):
    response = httpx.get(f"{start_server().url}/")
    assert response.status_code == 302
    assert response.headers["location"] == "ui/"
