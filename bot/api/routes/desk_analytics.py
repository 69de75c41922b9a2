"""Retention analytics for supervisors at the desk (session cookie; 403 `forbidden` for agents):

    GET /desk/api/analytics/experiments?horizon=90            offers vs holdout, per segment
    GET /desk/api/analytics/survival?offer_code=X&segment=all  Kaplan-Meier per arm, Cox model
    GET /desk/api/analytics/practices?horizon=90   practices and churn (associations, adjusted)
    GET /desk/api/analytics/uplift?horizon=90      uplift model: Qini curve, recommendations
    GET /desk/api/analytics/report?horizon=90            every section (bot.analytics.report)
    POST /desk/api/analytics/report/refresh?horizon=90   the report computed anew (Refresh)
    GET /desk/api/analytics/experiments.csv?horizon=90   offers vs holdout per segment, as CSV

The report is the Retention page's data and JSON export, the same computation as the files of
`bot analytics report`.

Under /desk because the desk's session cookie is scoped to Path=/desk (the browser would not
send it to /api/v1).

The figures are computed from `offers`, `outcomes` and the service tables in a worker thread,
with a session of their own, and kept per process for ANALYTICS_CACHE_SECONDS
(bot.analytics.cache: keyed by route and query, one computation per key at a time, Refresh
rate-limited). Every JSON answer says when its figures were computed (`computed_at`, UTC) and
for how long they are kept (`cache_seconds`); the CSV says it in `X-Computed-At`. A write that
changes what the figures count does not invalidate them: they may lag the database by up to
`cache_seconds`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from bot.analytics.cache import AnalyticsCache, Computed, Key
from bot.analytics.experiments import ALL_SEGMENTS, effects
from bot.analytics.histories import load_histories
from bot.analytics.practices import CAVEAT, practice_effects
from bot.analytics.report import build_report, experiments_csv, histories_for
from bot.analytics.survival import survival
from bot.analytics.uplift import uplift_report
from bot.api.desk_auth import SupervisorDep

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session
    from starlette.datastructures import State

router = APIRouter(prefix="/desk/api/analytics", tags=["desk"])
Horizon = Annotated[int, Query(ge=1, le=730, description="Days after the decision")]
JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Answer:
    """A computed JSON answer: its body, and that body encoded once (a hit only sends it)."""

    body: dict[str, Any]
    content: bytes


async def get_analytics_cache(request: Request) -> AnalyticsCache[Answer]:
    """The app's analytics cache, made on first use from ANALYTICS_CACHE_SECONDS and the app's
    clock (no await in between: one per app)."""
    state = request.app.state
    cache: AnalyticsCache[Answer] | None = getattr(state, "analytics_cache", None)
    if cache is None:
        cache = AnalyticsCache(state.settings.analytics_cache_seconds, clock=state.clock)
        state.analytics_cache = cache
    return cache


AnalyticsCacheDep = Annotated[AnalyticsCache[Answer], Depends(get_analytics_cache)]


def _computing(
    state: State, ttl_seconds: float, figures: Callable[[Session, datetime], dict[str, Any]]
) -> Callable[[datetime], Answer]:
    """`figures` run in a session of their own (in the cache's worker thread), as an Answer."""

    def compute(now: datetime) -> Answer:
        with state.session_factory() as session:
            body = figures(session, now)
        body |= {"computed_at": now.isoformat(), "cache_seconds": ttl_seconds}
        return Answer(body, json.dumps(body, ensure_ascii=False, allow_nan=False).encode())

    return compute


async def _answer(
    request: Request,
    cache: AnalyticsCache[Answer],
    key: Key,
    figures: Callable[[Session, datetime], dict[str, Any]],
    *,
    refresh: bool = False,
) -> Computed[Answer]:
    compute = _computing(request.app.state, cache.ttl_seconds, figures)
    if refresh:
        return await cache.refresh(key, compute)
    return await cache.get(key, compute)


def _json(found: Computed[Answer]) -> Response:
    return Response(found.value.content, media_type=JSON_TYPE)


def _experiments(request: Request, horizon: int) -> Callable[[Session, datetime], dict[str, Any]]:
    holdout_share = request.app.state.discount_policy.holdout.share

    def figures(session: Session, now: datetime) -> dict[str, Any]:
        del now
        found = effects(load_histories(session), horizons=(horizon,))
        return {
            "horizon_days": horizon,
            "holdout_share": holdout_share,
            "effects": [effect.as_json() for effect in found],
        }

    return figures


@router.get("/experiments")
async def experiments(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    horizon: Horizon = 90,
) -> Response:
    """Retention of offered vs held-out customers per offer (all segments, then each)."""
    found = await _answer(request, cache, ("experiments", horizon), _experiments(request, horizon))
    return _json(found)


@router.get("/survival")
async def survival_curves(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    offer_code: Annotated[str, Query(min_length=1, max_length=32)],
    segment: Annotated[str, Query(min_length=1, max_length=32)] = ALL_SEGMENTS,
) -> Response:
    """Kaplan-Meier curves per arm and the Cox hazard ratio for one offer (and segment);
    empty arms and a null `cox` when there is no such history."""

    def figures(session: Session, now: datetime) -> dict[str, Any]:
        del now
        histories = histories_for(load_histories(session), offer_code, segment)
        return survival(offer_code, segment, histories).as_json()

    return _json(await _answer(request, cache, ("survival", offer_code, segment), figures))


def _report(request: Request, horizon: int) -> Callable[[Session, datetime], dict[str, Any]]:
    holdout_share = request.app.state.discount_policy.holdout.share

    def figures(session: Session, now: datetime) -> dict[str, Any]:
        return build_report(session, horizon=horizon, holdout_share=holdout_share, now=now)

    return figures


@router.get("/report")
async def report(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    horizon: Horizon = 90,
) -> Response:
    """Offers vs holdout, survival per offer and segment, practices and uplift in one answer."""
    return _json(await _answer(request, cache, ("report", horizon), _report(request, horizon)))


@router.post("/report/refresh")
async def refresh_report(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    horizon: Horizon = 90,
) -> Response:
    """The report computed anew (the Retention page's Refresh): joins a computation under way,
    and answers the kept report when it is younger than the cache's `min_refresh_seconds`."""
    key = ("report", horizon)
    return _json(await _answer(request, cache, key, _report(request, horizon), refresh=True))


@router.get("/experiments.csv", response_class=Response)
async def experiments_as_csv(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    horizon: Horizon = 90,
) -> Response:
    """One row per offer and segment (empty cells where a figure does not exist); the same
    computation (and kept result) as /experiments."""
    found = await _answer(request, cache, ("experiments", horizon), _experiments(request, horizon))
    return Response(
        experiments_csv(found.value.body["effects"]),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="retention-{horizon}-days.csv"',
            "X-Computed-At": found.value.body["computed_at"],
        },
    )


@router.get("/practices")
async def practices(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    horizon: Horizon = 90,
) -> Response:
    """Each practice's association with churn: naive and adjusted difference, with the caveat
    that these are associations, not proven causes."""

    def figures(session: Session, now: datetime) -> dict[str, Any]:
        del now
        found = practice_effects(session, horizon)
        return {
            "horizon_days": horizon,
            "caveat": CAVEAT,
            "practices": [effect.as_json() for effect in found],
        }

    return _json(await _answer(request, cache, ("practices", horizon), figures))


@router.get("/uplift")
async def uplift(
    _supervisor: SupervisorDep,
    request: Request,
    cache: AnalyticsCacheDep,
    horizon: Horizon = 90,
) -> Response:
    """The uplift model's Qini curve on unseen data and its recommendation per offer and
    segment."""

    def figures(session: Session, now: datetime) -> dict[str, Any]:
        del now
        return uplift_report(session, horizon).as_json()

    return _json(await _answer(request, cache, ("uplift", horizon), figures))
