"""The retention report as one self-contained HTML file (`bot analytics report`): the Retention
page's markup and drawing code with Chart.js, the desk's styles and the report's figures inlined,
so the file opens offline and loads nothing from anywhere.

    retention_report_html(report, chart_bundle)   # report: bot.analytics.report.build_report
"""

from __future__ import annotations

import json
import re
from html import escape
from string import Template
from typing import TYPE_CHECKING, Any, Final

from bot.core.errors import BotError
from bot.desk.web import STATIC_DIR, TEMPLATES_DIR

if TYPE_CHECKING:
    from pathlib import Path

# The drawing code, in the order the page loads it (common.js gives RetentionView its DOM helpers).
SCRIPTS: Final = ("common.js", "retention-charts.js", "retention-report.js")
_SCRIPT_END = re.compile(r"</script", re.IGNORECASE)


class ChartBundleMissing(BotError):
    """Chart.js is not vendored (run `make setup`)."""


def _inline_script(source: str, name: str) -> str:
    if _SCRIPT_END.search(source):  # would end the inline <script> early
        raise ValueError(f"{name} contains '</script' and cannot be inlined")
    return source


def _inline_json(data: dict[str, Any]) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' as such."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def require_chart_bundle(chart_bundle: Path) -> None:
    if not chart_bundle.is_file():
        raise ChartBundleMissing(
            f"the chart library is not vendored at {chart_bundle}: run make setup"
        )


def retention_report_html(report: dict[str, Any], chart_bundle: Path) -> str:
    require_chart_bundle(chart_bundle)
    sources = [(chart_bundle.name, chart_bundle.read_text(encoding="utf-8"))] + [
        (name, (STATIC_DIR / name).read_text(encoding="utf-8")) for name in SCRIPTS
    ]
    scripts = "\n;\n".join(_inline_script(source, name) for name, source in sources)
    page = Template((TEMPLATES_DIR / "retention_report.html").read_text(encoding="utf-8"))
    return page.substitute(
        horizon=escape(str(report["horizon_days"])),
        generated=escape(str(report["generated_at"])[:16].replace("T", " ")),
        css=(STATIC_DIR / "desk.css").read_text(encoding="utf-8"),
        main=(TEMPLATES_DIR / "retention.html").read_text(encoding="utf-8"),
        data=_inline_json(report),
        scripts=scripts,
    )
