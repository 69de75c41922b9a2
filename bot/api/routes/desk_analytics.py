"""Retention analytics for supervisors at the desk (session cookie; 403 `forbidden` for agents):

    GET /desk/api/analytics/experiments?horizon=90            offers vs holdout, per segment
    GET /desk/api/analytics/survival?offer_code=X&segment=all  Kaplan-Meier per arm, Cox model
    GET /desk/api/analytics/practices?horizon=90   practices and churn (associations, adjusted)
    GET /desk/api/analytics/uplift?horizon=90      uplift model: Qini curve, recommendations
    GET /desk/api/analytics/report?horizon=90            every section (bot.analytics.report)
    GET /desk/api/analytics/experiments.csv?horizon=90   offers vs holdout per segment, as CSV

The report is the Retention page's data and JSON export, the same computation as the files of
`bot analytics report`.

Under /desk because the desk's session cookie is scoped to Path=/desk (the browser would not
send it to /api/v1). The figures are computed from `offers` and `outcomes` on each request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bot.analytics.experiments import ALL_SEGMENTS, effects
from bot.analytics.histories import load_histories
from bot.analytics.practices import CAVEAT, practice_effects
from bot.analytics.report import build_report, experiments_csv, histories_for
from bot.analytics.survival import survival
from bot.analytics.uplift import uplift_report
from bot.api.deps import DiscountPolicyDep, NowDep, SessionDep
from bot.api.desk_auth import SupervisorDep

router = APIRouter(prefix="/desk/api/analytics", tags=["desk"])
Horizon = Annotated[int, Query(ge=1, le=730, description="Days after the decision")]


@router.get("/experiments")
def experiments(
    _supervisor: SupervisorDep,
    session: SessionDep,
    policy: DiscountPolicyDep,
    horizon: Horizon = 90,
) -> dict[str, Any]:
    """Retention of offered vs held-out customers per offer (all segments, then each)."""
    found = effects(load_histories(session), horizons=(horizon,))
    return {
        "horizon_days": horizon,
        "holdout_share": policy.holdout.share,
        "effects": [effect.as_json() for effect in found],
    }


@router.get("/survival")
def survival_curves(
    _supervisor: SupervisorDep,
    session: SessionDep,
    offer_code: Annotated[str, Query(min_length=1, max_length=32)],
    segment: Annotated[str, Query(min_length=1, max_length=32)] = ALL_SEGMENTS,
) -> dict[str, Any]:
    """Kaplan-Meier curves per arm and the Cox hazard ratio for one offer (and segment);
    empty arms and a null `cox` when there is no such history."""
    histories = histories_for(load_histories(session), offer_code, segment)
    return survival(offer_code, segment, histories).as_json()


@router.get("/report")
def report(
    _supervisor: SupervisorDep,
    session: SessionDep,
    policy: DiscountPolicyDep,
    now: NowDep,
    horizon: Horizon = 90,
) -> dict[str, Any]:
    """Offers vs holdout, survival per offer and segment, practices and uplift in one answer."""
    return build_report(session, horizon=horizon, holdout_share=policy.holdout.share, now=now)


@router.get("/experiments.csv", response_class=Response)
def experiments_as_csv(
    _supervisor: SupervisorDep, session: SessionDep, horizon: Horizon = 90
) -> Response:
    """One row per offer and segment (empty cells where a figure does not exist)."""
    found = effects(load_histories(session), horizons=(horizon,))
    return Response(
        experiments_csv([effect.as_json() for effect in found]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="retention-{horizon}-days.csv"'},
    )


@router.get("/practices")
def practices(
    _supervisor: SupervisorDep, session: SessionDep, horizon: Horizon = 90
) -> dict[str, Any]:
    """Each practice's association with churn: naive and adjusted difference, with the caveat
    that these are associations, not proven causes."""
    return {
        "horizon_days": horizon,
        "caveat": CAVEAT,
        "practices": [effect.as_json() for effect in practice_effects(session, horizon)],
    }


@router.get("/uplift")
def uplift(
    _supervisor: SupervisorDep, session: SessionDep, horizon: Horizon = 90
) -> dict[str, Any]:
    """The uplift model's Qini curve on unseen data and its recommendation per offer and
    segment."""
    return uplift_report(session, horizon).as_json()
