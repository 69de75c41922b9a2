"""Survival after an offer decision, offered against holdout (lifelines):

* Kaplan-Meier curves per arm with their 95% bands (`KaplanMeierFitter`), read at `CURVE_DAYS`;
* a Cox model of the time to cancellation on `offered` (1) vs holdout (0): the hazard ratio
  (below 1: offered customers cancel less) with its 95% interval and p-value (`CoxPHFitter`);
* the proportional-hazards check (`proportional_hazard_test`, rank time transform): a small
  p-value says the ratio changes over time, so one hazard ratio misdescribes the effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd  # type: ignore[import-untyped]
from lifelines import CoxPHFitter, KaplanMeierFitter  # type: ignore[import-untyped]
from lifelines.statistics import proportional_hazard_test  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from bot.analytics.histories import History

CURVE_DAYS = tuple(range(0, 361, 15))
PH_ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class CurvePoint:
    day: int
    survival: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class ArmCurve:
    arm: str
    n: int
    cancelled: int
    curve: list[CurvePoint]


@dataclass(frozen=True, slots=True)
class CoxResult:
    hazard_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    ph_p_value: float

    @property
    def proportional_hazards_hold(self) -> bool:
        return self.ph_p_value >= PH_ALPHA


@dataclass(frozen=True, slots=True)
class Survival:
    offer_code: str
    segment: str
    arms: list[ArmCurve] = field(default_factory=list)
    cox: CoxResult | None = None  # None: an arm is empty or has no cancellation

    def as_json(self) -> dict[str, Any]:
        cox = None
        if self.cox is not None:
            cox = {
                "hazard_ratios": [
                    {
                        "covariate": "offered",
                        "hazard_ratio": self.cox.hazard_ratio,
                        "ci_low": self.cox.ci_low,
                        "ci_high": self.cox.ci_high,
                        "p_value": self.cox.p_value,
                    }
                ],
                "proportional_hazards": [
                    {
                        "covariate": "offered",
                        "p_value": self.cox.ph_p_value,
                        "holds": self.cox.proportional_hazards_hold,
                    }
                ],
            }
        return {
            "offer_code": self.offer_code,
            "segment": self.segment,
            "arms": [
                {
                    "arm": arm.arm,
                    "n": arm.n,
                    "cancelled": arm.cancelled,
                    "curve": [
                        {
                            "day": p.day,
                            "survival": p.survival,
                            "ci_low": p.ci_low,
                            "ci_high": p.ci_high,
                        }
                        for p in arm.curve
                    ],
                }
                for arm in self.arms
            ],
            "cox": cox,
        }


def _frame(histories: list[History]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "days": [max(h.days, 0) for h in histories],
            "cancelled": [int(h.cancelled) for h in histories],
            "offered": [int(h.offered) for h in histories],
        }
    )


def _curve(frame: pd.DataFrame, arm: str) -> ArmCurve:
    fitter = KaplanMeierFitter().fit(frame["days"], frame["cancelled"], label=arm)
    last = int(frame["days"].max())
    points = []
    for day in CURVE_DAYS:
        if day > last:
            break
        band = fitter.confidence_interval_survival_function_.loc[:day].iloc[-1]
        points.append(
            CurvePoint(
                day,
                float(fitter.survival_function_at_times(day).iloc[0]),
                float(band.iloc[0]),
                float(band.iloc[1]),
            )
        )
    return ArmCurve(arm, len(frame), int(frame["cancelled"].sum()), points)


def _cox(frame: pd.DataFrame) -> CoxResult | None:
    arms = frame.groupby("offered")["cancelled"].agg(["count", "sum"])
    if len(arms) < 2 or (arms["sum"] == 0).any():
        return None
    fitter = CoxPHFitter().fit(frame, duration_col="days", event_col="cancelled")
    row = fitter.summary.loc["offered"]
    check = proportional_hazard_test(fitter, frame, time_transform="rank")
    return CoxResult(
        hazard_ratio=float(row["exp(coef)"]),
        ci_low=float(row["exp(coef) lower 95%"]),
        ci_high=float(row["exp(coef) upper 95%"]),
        p_value=float(row["p"]),
        ph_p_value=float(check.summary.loc["offered", "p"]),
    )


def survival(offer_code: str, segment: str, histories: list[History]) -> Survival:
    """Kaplan-Meier per arm and the Cox model for one offer (and segment)."""
    usable = [h for h in histories if h.days >= 0]
    if not usable:
        return Survival(offer_code, segment)
    frame = _frame(usable)
    arms = [
        _curve(frame[frame["offered"] == flag], name)
        for flag, name in ((1, "offered"), (0, "holdout"))
        if (frame["offered"] == flag).any()
    ]
    cox = _cox(frame)
    if cox is not None and not all(map(math.isfinite, (cox.hazard_ratio, cox.p_value))):
        cox = None
    return Survival(offer_code, segment, arms, cox)
