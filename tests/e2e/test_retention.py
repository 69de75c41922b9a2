"""The Retention page in Chromium (issue 13 part 7), against a back end of its own.

The back end runs on its own SQLite database seeded with enough generated customers for every
planted effect (bot/seed/outcomes.py), so each chart has something to draw; no Rasa is needed.
A supervisor opens the page from the desk: the charts (effects, survival, Qini) are drawn by the
vendored Chart.js (canvas with non-blank pixels, no console errors), the table has a row per
offer and segment with the API's verdict, practices show their caveat, the
survival chart follows the chosen offer, the horizon changes the exports, and both exports
download. An agent gets 403. A screenshot at 1400 px goes to the test's tmp directory (and to
$E2E_SCREENSHOTS when set) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from scripts.managed_process import ManagedProcess
from tests.e2e.browser import WAIT_MS, log_in, page_errors
from tests.e2e.conftest import ROOT, free_port, wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator

pytest_plugins = ["tests.e2e.browser_fixtures"]
CUSTOMERS = 3000  # as tests/bot/analytics: the planted effects show (the pilot stays too small)
SHOTS = os.environ.get("E2E_SCREENSHOTS")
# Canvas pixels that are not fully transparent: 0 for a canvas nothing was drawn on.
INKED_PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked += 1;
  return inked;
}"""


@pytest.fixture(scope="module")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("retention")
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'billing.db'}",
        "LOG_LEVEL": "INFO",
    }
    bot = str(ROOT / ".venv/bin/bot")
    for command in ([bot, "db", "upgrade"], [bot, "seed", "--customers", str(CUSTOMERS)]):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    backend = ManagedProcess(
        "backend", [bot, "serve", "--port", str(port), "--no-migrate"], workdir / "backend.log"
    )
    backend.start(env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(f"{url}/health", backend)
        yield url
    finally:
        backend.stop()


def api_effects(backend_url: str, horizon: int) -> list[dict[str, object]]:
    with httpx.Client(base_url=backend_url, timeout=60) as client:
        form = client.get("/desk/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        client.post(
            "/desk/login",
            data={"username": "sara", "password": "sara-demo", "csrf_token": token.group(1)},
        )
        answer = client.get(f"/desk/api/analytics/experiments?horizon={horizon}")
        answer.raise_for_status()
        return list(answer.json()["effects"])


def shoot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
    return path


def expect_drawn(page: Page, canvas: str) -> None:
    expect(page.locator(f"#{canvas}")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    assert page.evaluate(INKED_PIXELS, canvas) > 1000, canvas


def test_the_supervisor_sees_the_retention_page_with_charts(
    backend_url: str, desk_context: BrowserContext, tmp_path: Path
) -> None:
    page = desk_context.new_page()
    errors = page_errors(page)
    log_in(page, backend_url, "sara", "sara-demo")
    with page.expect_response(re.compile(r"/report\?horizon=90$"), timeout=WAIT_MS) as loaded:
        page.locator("#retention-link").click()
    expect(page).to_have_url(re.compile(r"/desk/retention$"), timeout=WAIT_MS)

    for canvas in ("retention-effects", "retention-survival", "retention-qini"):
        expect_drawn(page, canvas)
    assert page.evaluate("typeof Chart") == "function"
    effects = api_effects(backend_url, 90)
    rows = page.locator("#retention-effects-table tbody tr")
    expect(rows).to_have_count(len(effects))
    shown = page.evaluate(
        """() => [...document.querySelectorAll('#retention-effects-table tbody tr')].map(
          (row) => [row.dataset.offer, row.dataset.segment, row.lastElementChild.className])"""
    )
    assert shown == [[e["offer_code"], e["segment"], f"verdict-{e['verdict']}"] for e in effects]
    assert {"works", "harms"} <= {e["verdict"] for e in effects}  # the seed's planted effects
    expect(page.locator("#retention-decisions")).not_to_have_text("-")
    expect(page.locator("#retention-practices-caveat")).to_be_visible()
    expect(page.locator("#retention-practices-caveat")).to_contain_text("not proven cause")
    expect(page.locator("#retention-practices tbody tr")).to_have_count(4)  # the four practices
    offer = page.locator("#retention-recommendations tbody tr").filter(has_text="price sensitive")
    expect(offer).to_contain_text("Offer")  # the uplift model recommends the planted effect

    choice = page.locator("#survival-choice")
    # At first the curves best worth reading: the offer and segment whose smaller arm is largest.
    expect(choice.locator("option:checked")).to_have_text("price match / all")
    choice.select_option(label="price match / price sensitive")
    expect(page.locator("#retention-cox")).to_contain_text("Cox hazard ratio")
    expect_drawn(page, "retention-survival")
    # When the kept figures were computed; Refresh within half a minute answers the kept ones.
    computed = re.compile(r"^Computed \d{1,2}:\d\d( [AP]M)?; refreshes every 5 min; \d+ offers")
    expect(page.locator("#retention-generated")).to_have_text(computed)
    with page.expect_response(
        re.compile(r"/report/refresh\?horizon=90$"), timeout=WAIT_MS
    ) as refreshed:
        page.locator("#retention-refresh").click()
    assert refreshed.value.ok
    expect(page.locator("#retention-refresh")).to_be_enabled()
    expect(page.locator("#retention-generated")).to_have_text(computed)
    kept = refreshed.value.json()["computed_at"] == loaded.value.json()["computed_at"]
    if kept:  # the usual case; on a slow machine the page may have loaded over 30 s before
        expect(page.locator("#notice")).to_contain_text("computed less than half a minute ago")
    else:
        expect(page.locator("#notice")).to_be_hidden()
    shot = shoot(page, tmp_path, "retention-1400")
    assert shot.stat().st_size > 20_000
    assert errors == []


def test_the_exports_download_for_the_chosen_horizon(
    backend_url: str, desk_context: BrowserContext
) -> None:
    page = desk_context.new_page()
    errors = page_errors(page)
    log_in(page, backend_url, "sara", "sara-demo")
    page.goto(f"{backend_url}/desk/retention")
    expect_drawn(page, "retention-effects")

    choice = page.locator("#survival-choice")
    choice.select_option(label="retention / quiet")
    page.locator("#retention-horizon").select_option("180")
    expect(page.locator("#retention-horizon-days")).to_have_text("180 days", timeout=WAIT_MS)
    expect(choice.locator("option:checked")).to_have_text("retention / quiet")  # kept
    with page.expect_download() as json_download:
        page.locator("#retention-export-json").click()
    report = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    with page.expect_download() as csv_download:
        page.locator("#retention-export-csv").click()
    table = Path(csv_download.value.path()).read_text(encoding="utf-8")

    assert json_download.value.suggested_filename == "retention-180-days.json"
    assert report["horizon_days"] == 180
    assert report["experiments"] == api_effects(backend_url, 180)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert csv_download.value.suggested_filename == "retention-180-days.csv"
    assert [(r["offer_code"], r["segment"]) for r in rows] == [
        (e["offer_code"], e["segment"]) for e in report["experiments"]
    ]
    assert {r["horizon_days"] for r in rows} == {"180"}
    assert errors == []


def test_an_agent_cannot_open_the_retention_page(
    backend_url: str, desk_context: BrowserContext
) -> None:
    page = desk_context.new_page()
    log_in(page, backend_url, "maria", "maria-demo")
    expect(page.locator("#retention-link")).to_have_count(0)
    response = page.goto(f"{backend_url}/desk/retention")
    assert response is not None
    assert response.status == 403
