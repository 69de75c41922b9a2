"""The Slovenian chat page and a Slovenian desk ticket in real Chromium (issue 12).

On /sl/ the page and the widget are in Slovenian and the widget sends `language: sl` with the
customer's messages (seen in Rasa's tracker); the language switch leads to the English page, where
the same conversation goes on in English. At the desk, a ticket opened with `language: sl` is
marked Slovenian in the queue and the ticket view, offers Slovenian canned phrases, and the
agent's edited phrase is sent as written.
Screenshots go to $E2E_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import WAIT_MS, log_in
from tests.e2e.conftest import RASA_TOKEN, SERVICE_TOKEN, Stack

pytest_plugins = ["tests.e2e.browser_fixtures"]
SHOTS = os.environ.get("E2E_SCREENSHOTS")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="sl-SI")
    yield context.new_page()
    context.close()


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def user_metadata(stack: Stack, conversation_id: str) -> list[dict[str, object]]:
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": RASA_TOKEN},
        timeout=30,
    ).json()
    return [e.get("metadata") or {} for e in tracker["events"] if e["event"] == "user"]


def conversation_language(stack: Stack, conversation_id: str) -> object:
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": RASA_TOKEN},
        timeout=30,
    ).json()
    return tracker["slots"].get("language")


def test_the_slovenian_page_and_widget(stack: Stack, page: Page) -> None:
    page.goto(f"{stack.backend_url}/sl/")
    expect(page).to_have_title("Pomoč pri računih")
    assert page.locator("html").get_attribute("lang") == "sl"
    expect(page.get_by_role("heading", name="Imate vprašanje o računu?")).to_be_visible()
    expect(page.get_by_text("Vaša zasebnost")).to_be_visible()
    page.locator("button.rw-launcher").click()
    box = page.locator(".rw-new-message")
    expect(box).to_be_visible(timeout=WAIT_MS)
    expect(box).to_have_attribute("placeholder", "Vpišite svoje vprašanje …")
    expect(page.locator(".rw-header .rw-title")).to_have_text("Pomoč pri računih")
    box.fill("koliko dolgujem?")
    box.press("Enter")
    expect(page.locator(".rw-response").first).to_be_visible(timeout=WAIT_MS)
    shoot(page, "sl-page-widget")
    session = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    assert isinstance(session, str)
    assert session

    def said_in_slovenian() -> bool:
        return any(m.get("language") == "sl" for m in user_metadata(stack, session))

    for _ in range(30):  # the message reaches Rasa's tracker a moment after the widget shows it
        if said_in_slovenian():
            break
        page.wait_for_timeout(500)
    assert said_in_slovenian(), user_metadata(stack, session)

    page.get_by_test_id("language-switch").click()
    expect(page).to_have_url(f"{stack.backend_url}/")
    expect(page).to_have_title("Billing support")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_test_id("language-switch")).to_have_text("Slovenščina")
    # The same conversation goes on, and following the link switched its language to English.
    box = page.locator(".rw-new-message")
    page.wait_for_timeout(1000)  # the widget reopens itself if it was open on the other page
    if not box.is_visible():
        page.locator("button.rw-launcher").click()
    expect(box).to_be_visible(timeout=WAIT_MS)
    answers = page.locator(".rw-response").count()
    box.fill("thanks")
    box.press("Enter")
    expect(page.locator(".rw-response").nth(answers)).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id") == session
    for _ in range(30):
        if conversation_language(stack, session) == "en":
            break
        page.wait_for_timeout(500)
    assert conversation_language(stack, session) == "en"


def test_a_slovenian_ticket_at_the_desk(stack: Stack, page: Page) -> None:
    conversation = f"e2e-sl-{uuid.uuid4().hex[:10]}"
    opened = httpx.post(
        f"{stack.backend_url}/api/v1/handoffs",
        json={
            "conversation_id": conversation,
            "channel": "socketio",
            "language": "sl",
            "reason": "customer_request",
            "summary": "Vprašala, zakaj je račun višji; želi govoriti z osebo.",
            "transcript": [{"sender": "customer", "text": "zakaj je moj račun višji?"}],
        },
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    log_in(page, stack.backend_url, "maria", "maria-demo")
    row = page.locator(f'[data-testid="ticket-row"][data-ticket-id="{opened.json()["ticket_id"]}"]')
    expect(row).to_be_visible(timeout=WAIT_MS)
    expect(row.get_by_test_id("ticket-language")).to_have_text("SL")
    row.click()
    expect(page.get_by_test_id("ticket-language-name")).to_have_text("Slovenian")
    expect(page.locator("#ticket-meta")).to_contain_text("in Slovenian")
    phrases = page.get_by_test_id("canned-phrase")
    expect(phrases.first).to_have_text(
        "Pozdravljeni, tukaj Maria Novak iz službe za obračun. Zdaj berem vaš pogovor."
    )
    page.get_by_test_id("claim").click()
    expect(page.locator("#reply-text")).to_be_enabled(timeout=WAIT_MS)
    phrases.filter(has_text="Hvala za potrpežljivost").click()
    reply = page.locator("#reply-text")
    expect(reply).to_have_value(re.compile(r"^Hvala za potrpežljivost\."))
    reply.fill(reply.input_value() + " Račun je 54,17 €.")
    shoot(page, "desk-slovenian-ticket")
    page.locator("#reply-send").click()
    sent = (
        "Hvala za potrpežljivost. Preverjam vaš račun in se vam oglasim v trenutku. "
        "Račun je 54,17 €."
    )
    expect(page.get_by_test_id("transcript").locator(".msg-agent").last).to_contain_text(sent)
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation}/tracker",
        params={"token": RASA_TOKEN},
        timeout=30,
    ).json()
    bot_texts = [e.get("text") for e in tracker["events"] if e["event"] == "bot"]
    assert f"Maria (služba za obračun): {sent}" in bot_texts
