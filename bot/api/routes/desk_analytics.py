"""Retention analytics for supervisors at the desk (session cookie; 403 `forbidden` for agents):

    GET /desk/api/analytics/experiments?horizon=90            offers vs holdout, per segment
    GET /desk/api/analytics/survival?offer_code=X&segment=all  Kaplan-Meier per arm, Cox model

Under /desk because the desk's session cookie is scoped to Path=/desk (the browser would not
send it to /api/v1). The figures are computed from `offers` and `outcomes` on each request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.analytics.experiments import ALL_SEGMENTS, effects
from bot.analytics.histories import load_histories
from bot.analytics.survival import survival
from bot.api.deps import DiscountPolicyDep, SessionDep
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
    histories = [
        h
        for h in load_histories(session)
        if h.offer_code == offer_code and segment in (ALL_SEGMENTS, h.segment)
    ]
    return survival(offer_code, segment, histories).as_json()
