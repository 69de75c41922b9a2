"""`bot analytics report`: one computation of the retention report (bot.analytics.report) written
as a JSON file and a self-contained HTML file, with a progress bar on stderr while it computes.

    write_report(settings, out_dir, horizon)   # -> (html path, json path)

Expected failures are typed (`BotError`), so the CLI prints one line: a database without the
retention tables (`DatabaseNotReady`), no offer decisions yet (`NoHistories`), Chart.js not
vendored (`ChartBundleMissing`), a folder that cannot be written (`ReportNotWritten`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from bot.analytics.errors import AnalyticsError
from bot.analytics.report import build_report, require_histories
from bot.commerce.policy import PROJECT_ROOT, load_policy
from bot.core.clock import utc_now
from bot.db import create_db_engine
from bot.desk.web.report_file import require_chart_bundle, retention_report_html

if TYPE_CHECKING:
    from bot.settings import Settings


class ReportNotWritten(AnalyticsError):
    """The output folder or a file in it cannot be written."""


def _chart_bundle(settings: Settings) -> Path:
    bundle = Path(settings.chart_bundle_path).expanduser()
    return bundle if bundle.is_absolute() else PROJECT_ROOT / bundle


def _compute(settings: Settings, horizon: int) -> dict[str, object]:
    holdout_share = load_policy(settings.discount_policy_path).holdout.share
    engine = create_db_engine(settings.database_url)
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with (
            Progress(*columns, console=Console(stderr=True)) as progress,
            Session(engine) as session,
        ):
            task = progress.add_task("reading offer decisions", total=None)

            def advance(done: int, total: int, label: str) -> None:
                progress.update(task, completed=done, total=total, description=label)

            report = build_report(
                session,
                horizon=horizon,
                holdout_share=holdout_share,
                now=utc_now(),
                progress=advance,
            )
    finally:
        engine.dispose()
    require_histories(report)
    return report


def write_report(settings: Settings, out_dir: Path, horizon: int) -> tuple[Path, Path]:
    chart_bundle = _chart_bundle(settings)
    require_chart_bundle(chart_bundle)  # before the computation, not after it
    report = _compute(settings, horizon)
    html = retention_report_html(report, chart_bundle)
    html_file = out_dir / f"retention-{horizon}-days.html"
    json_file = out_dir / f"retention-{horizon}-days.json"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        json_file.write_text(json.dumps(report, indent=2, allow_nan=False), encoding="utf-8")
        html_file.write_text(html, encoding="utf-8")
    except OSError as error:
        raise ReportNotWritten(f"cannot write the report to {out_dir}: {error.strerror}") from None
    return html_file, json_file
