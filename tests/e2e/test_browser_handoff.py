"""The whole handoff in real Chromium: the website widget on one side, the agent desk on the other.

Debian's chromium driven by Playwright (tests/e2e/browser.py). The customer
verifies in the widget, asks for a person and sees their place and wait; the agent (logged in, in a
second browser context) claims the ticket, sees the account and the transcript, replies; the
customer sees the reply marked as from a person and answers; the agent sees that at once, resolves
and hands back; the bot answers the customer's next question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import WAIT_MS, log_in
from tests.e2e.conftest import Stack

pytest_plugins = ["tests.e2e.browser_fixtures"]


@pytest.fixture
def customer(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


class Widget:
    """The rasa-webchat widget as a customer uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.locator("button.rw-launcher").click()
        expect(self.page.locator(".rw-new-message")).to_be_visible(timeout=WAIT_MS)

    def say(self, text: str) -> None:
        box = self.page.locator(".rw-new-message")
        box.fill(text)
        box.press("Enter")

    def expect_reply(self, pattern: str) -> None:
        reply = self.page.locator(".rw-response").filter(has_text=re.compile(pattern))
        expect(reply.last).to_be_visible(timeout=WAIT_MS)


def test_a_customer_reaches_an_agent_and_comes_back_to_the_bot(
    stack: Stack, customer: Page, agent_context: BrowserContext
) -> None:
    desk = agent_context.new_page()
    log_in(desk, stack.backend_url, "maria", "maria-demo")

    fetched: list[str] = []
    refused: list[str] = []  # Content-Security-Policy violations the browser reports
    customer.on("request", lambda request: fetched.append(request.url))
    customer.on(
        "console",
        lambda line: refused.append(line.text) if "Content Security Policy" in line.text else None,
    )
    widget = Widget(customer)
    widget.open(f"{stack.backend_url}/")
    widget.expect_reply("I'm the billing assistant")
    widget.say("what is my balance?")
    widget.expect_reply("account number")
    widget.say("100001")
    widget.expect_reply("date of birth or the postcode")
    widget.say("14 March 1985")  # the date of birth verifies alone (a postcode needs more)
    widget.expect_reply("Thanks Ana, you're verified")
    widget.expect_reply(r"Your balance is 54\.17 EUR")

    widget.say("I want to talk to a person")
    widget.expect_reply(r"You're (next in line|number \d+ in the queue)")
    widget.expect_reply(r"The wait is (about|less than)")

    ticket = desk.locator(".ticket-row").first
    expect(ticket).to_be_visible(timeout=WAIT_MS)
    ticket.click()
    desk.locator("#claim").click()
    expect(desk.locator("#account")).to_contain_text("100001", timeout=WAIT_MS)
    expect(desk.locator("#invoices")).to_contain_text("INV-100001", timeout=WAIT_MS)
    transcript = desk.locator("#transcript")
    expect(transcript).to_contain_text("what is my balance?", timeout=WAIT_MS)
    expect(transcript).to_contain_text("I want to talk to a person", timeout=WAIT_MS)
    expect(transcript).to_contain_text("[verification answer removed]")  # not the postcode

    desk.fill("#reply-text", "Hello Ana, I'm looking at your account now.")
    desk.locator("#reply-send").click()
    widget.expect_reply(r"Maria .*Hello Ana, I'm looking at your account now\.")

    # Agent text is shown as text: no image is fetched, no javascript: link, http(s) URLs link.
    desk.fill(
        "#reply-text",
        "![p](http://127.0.0.1:9/p.png) [x](javascript:alert(1)) https://pay.example.com/p/1",
    )
    desk.locator("#reply-send").click()
    widget.expect_reply(re.escape("![p](http://127.0.0.1:9/p.png) [x](javascript:alert(1))"))
    responses = customer.locator(".rw-response")
    expect(responses.locator("img")).to_have_count(0)
    expect(responses.locator("a[href^='javascript']")).to_have_count(0)
    expect(responses.locator("a[href='https://pay.example.com/p/1']")).to_have_count(1)
    origins = {found.group(0) for url in fetched if (found := re.match(r"^\w+://[^/]+", url))}
    assert origins <= {stack.backend_url, stack.rasa_url}, origins  # no CDN, no agent's image
    assert refused == []

    widget.say("thanks, my card 4111 1111 1111 1111 was charged twice")
    message = desk.locator("#transcript .msg-customer").filter(has_text="charged twice")
    expect(message).to_be_visible(timeout=WAIT_MS)  # pushed to the desk, no reload
    expect(message).not_to_contain_text("4111")

    desk.select_option("#resolve-outcome", "explained")
    desk.locator("#resolve-hand-back").click()
    widget.expect_reply("You.re back with the billing assistant")

    widget.say("when is my bill due?")
    widget.expect_reply(r"is due by \d{1,2} \w{3} \d{4}")  # answered, not "didn't get that"

    customer.reload()  # the conversation survives a reload (the widget reopens as it was)
    expect(customer.locator("button.rw-launcher")).to_be_visible(timeout=WAIT_MS)
    customer.wait_for_timeout(1000)
    if not customer.locator(".rw-conversation-container").is_visible():
        customer.locator("button.rw-launcher").click()
    expect(customer.locator(".rw-response").filter(has_text="Hello Ana")).to_be_visible(
        timeout=WAIT_MS
    )

    desk.goto(f"{stack.backend_url}/desk")
    desk.locator("#logout").click()
    expect(desk).to_have_url(re.compile(r"/desk/login"), timeout=WAIT_MS)


def test_the_desk_needs_a_login(stack: Stack, customer: Page) -> None:
    customer.goto(f"{stack.backend_url}/desk")
    expect(customer).to_have_url(re.compile(r"/desk/login"))
    customer.fill("input[name=username]", "maria")
    customer.fill("input[name=password]", "wrong password")
    customer.locator("form button[type=submit]").click()
    expect(customer.locator("body")).to_contain_text("Wrong username or password")
    response = customer.request.get(f"{stack.backend_url}/desk/api/queue")
    assert response.status == 401


def test_the_supervisor_sees_the_handoff_in_the_figures(
    stack: Stack, agent_context: BrowserContext
) -> None:
    """Runs after the handoff above: one ticket, answered, handed back with an outcome."""
    page = agent_context.new_page()
    log_in(page, stack.backend_url, "sara", "sara-demo")
    page.goto(f"{stack.backend_url}/desk/supervisor")
    expect(page.locator("#stats-by-reason tr[data-key=customer_request]")).to_contain_text(
        "1", timeout=WAIT_MS
    )
    expect(page.locator("#stats-outcomes tr[data-key=explained]")).to_be_visible()
    expect(page.locator("#stats-service-level")).to_have_text(re.compile(r"^\d+ %$"))
    expect(page.locator("#stats-wait-p50")).not_to_have_text("-")
    expect(page.locator("#stats-queue-length")).to_have_text("0")
    page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/desk/login"), timeout=WAIT_MS)


def test_an_agent_cannot_open_the_supervisor_view(
    stack: Stack, agent_context: BrowserContext
) -> None:
    page = agent_context.new_page()
    log_in(page, stack.backend_url, "tomaz", "tomaz-demo")
    response = page.goto(f"{stack.backend_url}/desk/supervisor")
    assert response is not None
    assert response.status == 403
    stats = page.request.get(f"{stack.backend_url}/desk/api/stats")
    assert stats.status == 403
    page.goto(f"{stack.backend_url}/desk")
    page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/desk/login"), timeout=WAIT_MS)
