"""The end-of-conversation survey and the desk's Service page, with the real processes.

A survey answer given over Rasa's REST channel reaches the back end (action server -> service
API) and shows in the supervisor's figures; the supervisor sees the Service page in Chromium with
both charts drawn by the vendored Chart.js, served from our origin.
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import BrowserContext, expect

from tests.e2e.browser import WAIT_MS, log_in
from tests.e2e.conftest import Stack

pytest_plugins = ["tests.e2e.browser_fixtures"]


def supervisor_figures(stack: Stack) -> dict[str, object]:
    with httpx.Client(base_url=stack.backend_url, timeout=30) as client:
        form = client.get("/desk/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        client.post(
            "/desk/login",
            data={"username": "sara", "password": "sara-demo", "csrf_token": token.group(1)},
        )
        response = client.get("/desk/api/service/figures?days=1")
        response.raise_for_status()
        return dict(response.json())


def test_a_survey_answer_over_rest_arrives_in_the_back_end(stack: Stack, sender: str) -> None:
    before = supervisor_figures(stack)["satisfaction"]["answers"]  # type: ignore[index]

    replies = stack.chat(sender, '/rate_service{"service_rating": "4"}')

    assert "Thank you for your rating. Would you like to add a comment?" in replies, stack.logs()
    after = supervisor_figures(stack)["satisfaction"]
    assert after["answers"] == before + 1  # type: ignore[index]
    assert after["counts"]["4"] >= 1  # type: ignore[index]


def test_the_supervisor_sees_the_service_page_with_charts(
    stack: Stack, desk_context: BrowserContext
) -> None:
    page = desk_context.new_page()
    log_in(page, stack.backend_url, "sara", "sara-demo")
    page.locator("#service-link").click()
    expect(page).to_have_url(re.compile(r"/desk/service$"), timeout=WAIT_MS)
    for chart in ("#service-over-time", "#service-by-reason"):
        expect(page.locator(chart)).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    assert page.evaluate("typeof Chart") == "function"
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map(c => c.width * c.height)"
    )
    assert all(area > 0 for area in drawn)
    expect(page.locator("#service-contacts")).not_to_have_text("-")
    expect(page.locator("#service-export-csv")).to_have_attribute(
        "href", "/desk/api/service/figures.csv?days=30"
    )
    script = page.request.get(f"{stack.backend_url}/desk/vendor/chart.umd.min.js")
    assert script.ok
    assert "Chart.js" in script.text()[:400]


def test_an_agent_cannot_open_the_service_page(stack: Stack, desk_context: BrowserContext) -> None:
    page = desk_context.new_page()
    log_in(page, stack.backend_url, "tomaz", "tomaz-demo")
    response = page.goto(f"{stack.backend_url}/desk/service")
    assert response is not None
    assert response.status == 403
