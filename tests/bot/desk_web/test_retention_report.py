"""`bot analytics report`: one computation written as a JSON file and a self-contained HTML file
(Chart.js, the drawing code and the figures inlined; nothing loaded from elsewhere), whose
figures are the desk API's; one-line errors for a database without tables or without data."""

from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import get_settings
from tests.bot.desk_web.helpers import figures, log_in

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from click.testing import Result
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

SECTIONS = {
    "generated_at", "horizon_days", "holdout_share", "decisions",
    "experiments", "survival", "practices", "uplift",
}  # fmt: skip


class Links(HTMLParser):
    """Every src and href of a page, and the inline scripts' types."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.script_types: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [value or "" for key, value in attrs if key in ("src", "href")]
        if tag == "script":
            self.script_types.append(values.get("type") or "text/javascript")


@pytest.fixture
def run_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    def run(database_url: str, *args: str) -> Result:
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("APP_ENV", "development")
        get_settings.cache_clear()
        return CliRunner().invoke(app, ["analytics", "report", *args])

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield run
    get_settings.cache_clear()
    root.setLevel(level)
    root.handlers = handlers


def test_the_report_files_hold_the_apis_figures(
    run_bot: Callable[..., Result], seeded_url: str, desk_client: TestClient, tmp_path: Path
) -> None:
    result = run_bot(seeded_url, "--out", str(tmp_path / "out"), "--horizon", "180")

    assert result.exit_code == 0, result.output
    html_file, json_file = (
        tmp_path / "out/retention-180-days.html",
        tmp_path / "out/retention-180-days.json",
    )
    assert f"wrote {html_file}" in result.stdout
    assert f"wrote {json_file}" in result.stdout
    assert "9/9" not in result.stdout  # the progress bar goes to stderr
    report = json.loads(json_file.read_text(encoding="utf-8"))
    assert set(report) == SECTIONS
    assert report["decisions"] == 30
    log_in(desk_client, "sara")
    api = desk_client.get("/desk/api/analytics/experiments?horizon=180").json()
    assert report["experiments"] == api["effects"]
    assert report["holdout_share"] == api["holdout_share"]
    assert len(report["survival"]) == 2
    for curve in report["survival"]:
        query = f"offer_code={curve['offer_code']}&segment={curve['segment']}"
        assert curve == figures(desk_client.get(f"/desk/api/analytics/survival?{query}").json())
    assert report["practices"] == figures(
        desk_client.get("/desk/api/analytics/practices?horizon=180").json()
    )
    assert report["uplift"] == figures(
        desk_client.get("/desk/api/analytics/uplift?horizon=180").json()
    )
    exported = desk_client.get("/desk/api/analytics/report?horizon=180").json()
    assert {**figures(exported), "generated_at": None} == {**report, "generated_at": None}

    html = html_file.read_text(encoding="utf-8")
    links = Links()
    links.feed(html)
    assert not [url for url in links.urls if re.match(r"\s*(https?:)?//", url, re.IGNORECASE)]
    assert "text/javascript" in links.script_types  # the drawing code is inline
    assert "<script src=" not in html
    assert "Chart.js v4.6.2" in html  # the vendored library itself
    inline = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert inline is not None
    assert json.loads(inline.group(1)) == report


def test_a_database_without_tables_is_one_line(
    run_bot: Callable[..., Result], tmp_path: Path
) -> None:
    result = run_bot(f"sqlite:///{tmp_path / 'new.db'}", "--out", str(tmp_path))

    assert result.exit_code == 1
    assert "error: the database lacks the offers, outcomes table(s)" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("retention-*"))


def test_no_offer_decisions_is_one_line(
    run_bot: Callable[..., Result], database_url: str, empty_engine: Engine, tmp_path: Path
) -> None:
    result = run_bot(database_url, "--out", str(tmp_path))

    assert result.exit_code == 1
    assert "error: no offer decisions with outcomes yet" in result.output
    assert not list(tmp_path.glob("retention-*"))


def test_a_folder_that_cannot_be_written_is_one_line(
    run_bot: Callable[..., Result], seeded_url: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")

    result = run_bot(seeded_url, "--out", str(blocker / "out"))

    assert result.exit_code == 1
    assert "error: cannot write the report to" in result.output


def test_chart_js_not_vendored_is_one_line(
    run_bot: Callable[..., Result],
    seeded_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHART_BUNDLE_PATH", str(tmp_path / "missing.js"))

    result = run_bot(seeded_url, "--out", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert "error: the chart library is not vendored at" in result.output
    assert "run make setup" in result.output
    assert not (tmp_path / "out").exists()
