"""The retention report: one computation of every retention figure, for the desk's Retention
page export, `bot analytics report` (JSON and a self-contained HTML file) alike.

    build_report(session, horizon=90, holdout_share=0.1, now=..., progress=...)  # -> dict

Sections (every one always present, so a reader never guesses):

* `experiments`: offers vs the randomized holdout per offer and segment at `horizon`
  (`bot.analytics.experiments.effects`, the same as `/desk/api/analytics/experiments`);
* `survival`: Kaplan-Meier per arm and the Cox model for every offer and segment
  (`bot.analytics.survival.survival`, the same as `/desk/api/analytics/survival`);
* `practices`: the observational practices with their caveat
  (`bot.analytics.practices.practice_effects`, the same as `/desk/api/analytics/practices`);
* `uplift`: the uplift model's Qini curve on unseen customers and its recommendations
  (`bot.analytics.uplift.uplift_report`, the same as `/desk/api/analytics/uplift`).

`progress(done, total, label)` is called after each step (the CLI draws a bar with it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import inspect

from bot.analytics.errors import AnalyticsError
from bot.analytics.experiments import ALL_SEGMENTS, effects
from bot.analytics.histories import load_histories
from bot.analytics.practices import CAVEAT, practice_effects
from bot.analytics.survival import survival
from bot.analytics.uplift import uplift_report

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.analytics.histories import History

Progress = Callable[[int, int, str], None]
SECTIONS: Final = ("experiments", "survival", "practices", "uplift")
REQUIRED_TABLES: Final = ("offers", "outcomes")
CSV_COLUMNS: Final = (
    "offer_code",
    "segment",
    "horizon_days",
    "offered_n",
    "offered_retained",
    "offered_rate",
    "holdout_n",
    "holdout_retained",
    "holdout_rate",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "number_needed_to_treat",
    "cost_per_retained_cents",
    "verdict",
    "verdict_text",
)


class DatabaseNotReady(AnalyticsError):
    """The database has no retention tables (never migrated, or the wrong database)."""


class NoHistories(AnalyticsError):
    """There is no offer decision with outcomes to analyse yet."""


def _no_progress(done: int, total: int, label: str) -> None:
    del done, total, label


def histories_for(histories: list[History], offer_code: str, segment: str) -> list[History]:
    """One offer's histories, in one segment or (`all`) in every segment."""
    return [
        h for h in histories if h.offer_code == offer_code and segment in (ALL_SEGMENTS, h.segment)
    ]


def check_database(session: Session) -> None:
    """Raise `DatabaseNotReady` unless the retention tables exist."""
    names = set(inspect(session.get_bind()).get_table_names())
    missing = [table for table in REQUIRED_TABLES if table not in names]
    if missing:
        raise DatabaseNotReady(
            f"the database lacks the {', '.join(missing)} table(s): run `bot db upgrade` and "
            "`bot seed`, or point DATABASE_URL at the product's database"
        )


def build_report(
    session: Session,
    *,
    horizon: int,
    holdout_share: float,
    now: datetime,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Every retention figure at `horizon` days (empty sections when there is no history)."""
    check_database(session)
    histories = load_histories(session)
    found = effects(histories, horizons=(horizon,))
    pairs = list(dict.fromkeys((effect.offer_code, effect.segment) for effect in found))
    total = 4 + len(pairs)
    progress(1, total, "offers vs holdout")
    curves = []
    for done, (offer_code, segment) in enumerate(pairs, start=2):
        curves.append(survival(offer_code, segment, histories_for(histories, offer_code, segment)))
        progress(done, total, f"survival {offer_code} / {segment}")
    practices = [effect.as_json() for effect in practice_effects(session, horizon)]
    progress(total - 2, total, "practices (observational)")
    uplift = uplift_report(session, horizon).as_json()
    progress(total - 1, total, "uplift model and Qini curve")
    report: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "horizon_days": horizon,
        "holdout_share": holdout_share,
        "decisions": len(histories),
        "experiments": [effect.as_json() for effect in found],
        "survival": [curve.as_json() for curve in curves],
        "practices": {"horizon_days": horizon, "caveat": CAVEAT, "practices": practices},
        "uplift": uplift,
    }
    progress(total, total, "done")
    return report


def require_histories(report: dict[str, Any]) -> None:
    """Raise `NoHistories` for a report of an empty database (nothing worth a file)."""
    if not report["decisions"]:
        raise NoHistories(
            "no offer decisions with outcomes yet: nothing to report (`bot seed` simulates some)"
        )


def experiments_csv(experiments: list[dict[str, Any]]) -> str:
    """The report's `experiments` as CSV: one row per offer and segment, each arm's n, retained
    and rate in columns of their own, an empty cell where a figure does not exist."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for effect in experiments:
        row = dict(effect)
        for arm in ("offered", "holdout"):
            row |= {f"{arm}_{key}": value for key, value in effect[arm].items()}
        writer.writerow({key: "" if row[key] is None else row[key] for key in CSV_COLUMNS})
    return out.getvalue()
