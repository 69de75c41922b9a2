"""The desk's service figures for supervisors (session cookie; 403 `forbidden` for agents):

    GET /desk/api/service/figures?days=30       JSON (bot.service.figures)
    GET /desk/api/service/figures.csv?days=30   one row per day, for a spreadsheet

The period is the last `days` whole UTC days up to and including today.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bot.api.deps import NowDep, SessionDep
from bot.api.desk_auth import SupervisorDep
from bot.service.figures import service_figures

router = APIRouter(prefix="/desk/api/service", tags=["desk"])
MAX_DAYS: Final = 366
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="Whole UTC days up to today")]
CSV_COLUMNS: Final = (
    "date",
    "contacts",
    "containment_rate",
    "first_contact_resolution_rate",
    "handoff_rate",
    "satisfaction_mean",
    "survey_answers",
)


def period(now: datetime, days: int) -> tuple[datetime, datetime]:
    end = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)
    return end - timedelta(days=days), end


@router.get("/figures")
def figures(
    _supervisor: SupervisorDep, session: SessionDep, now: NowDep, days: Days = 30
) -> dict[str, Any]:
    """Containment, first-contact resolution, handoffs by reason, time to resolution and
    satisfaction over the period, and the same per day."""
    return service_figures(session, *period(now, days))


@router.get("/figures.csv", response_class=Response)
def figures_csv(
    _supervisor: SupervisorDep, session: SessionDep, now: NowDep, days: Days = 30
) -> Response:
    """The daily figures as CSV (empty cells where a day had no contacts or answers)."""
    daily = service_figures(session, *period(now, days))["daily"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in daily:  # type: ignore[attr-defined]
        writer.writerow({key: "" if row[key] is None else row[key] for key in CSV_COLUMNS})
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="service-figures.csv"'},
    )
