"""The desk's layout in Chromium at 1400 px and 1024 px (issue 13 part 8), with screenshots.

With a ticket waiting: every queue card's chips stay inside the card, the page never scrolls
sideways, and with no ticket open the conversation pane takes the width the account pane will
use (no empty right third). Screenshots go to the test's tmp directory for a person to look at.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import WAIT_MS, log_in
from tests.e2e.conftest import SERVICE_TOKEN, Stack

pytest_plugins = ["tests.e2e.browser_fixtures"]

# The chips of every card, and whether each lies inside its card (1 px of rounding allowed).
CHIPS_INSIDE = """() => [...document.querySelectorAll('.ticket-row')].flatMap((row) => {
  const box = row.getBoundingClientRect();
  return [...row.querySelectorAll('.badge')].map((chip) => {
    const r = chip.getBoundingClientRect();
    return r.left >= box.left - 1 && r.right <= box.right + 1;
  });
})"""


@pytest.fixture(scope="module")
def waiting_ticket(stack: Stack) -> None:
    """A customer with a long reason text waiting in the queue (the back end's handoff API)."""
    response = httpx.post(
        f"{stack.backend_url}/api/v1/handoffs",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        json={
            "conversation_id": f"layout-{uuid.uuid4().hex[:8]}",
            "channel": "socketio",
            "reason": "verification_locked",
            "summary": "Locked out after three attempts, asks about a late fee.",
        },
        timeout=30,
    )
    assert response.status_code in (200, 201), response.text


def open_desk(browser: Browser, stack: Stack, width: int) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    log_in(page, stack.backend_url, "maria", "maria-demo")
    expect(page.locator("[data-testid=ticket-row]").first).to_be_visible(timeout=WAIT_MS)
    return page


@pytest.mark.parametrize("width", [1400, 1024])
def test_the_desk_uses_its_width_and_cards_keep_their_chips(
    stack: Stack, waiting_ticket: None, browser: Browser, width: int, tmp_path: Path
) -> None:
    page = open_desk(browser, stack, width)
    page.screenshot(path=str(tmp_path / f"desk-{width}.png"), full_page=True)

    inside = page.evaluate(CHIPS_INSIDE)
    assert inside
    assert all(inside), f"a chip is cut off at {width} px (screenshot in {tmp_path})"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    layout = page.locator(".layout").bounding_box()
    pane = page.locator("#no-ticket").bounding_box()
    queue = page.locator(".queue-pane").bounding_box()
    assert layout is not None
    assert pane is not None
    assert queue is not None
    # No ticket open: the conversation pane reaches the layout's right edge (its padding aside).
    assert pane["x"] + pane["width"] >= layout["x"] + layout["width"] - 40
    assert queue["width"] >= 240  # the queue keeps a readable column at both widths
    page.context.close()
