"""The browser of the end-to-end tests: Debian's chromium driven by Playwright (`executable_path`,
nothing downloaded), the desk's login as a person does it, and a page's errors.

The fixtures (`browser`, `desk_context`) are in tests/e2e/browser_fixtures.py, which a test
module loads with `pytest_plugins = ["tests.e2e.browser_fixtures"]`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 30_000


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in to the desk through its login form; ends on the desk page."""
    page.goto(f"{base_url}/desk")
    expect(page).to_have_url(re.compile(r"/desk/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/desk$"), timeout=WAIT_MS)


def page_errors(page: Page) -> list[str]:
    """A list that collects the page's console errors and uncaught exceptions from now on."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
