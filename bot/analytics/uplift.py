"""Who to offer what: an uplift model on the randomized holdout (a two-model "T-learner").

For every offer decision followed `horizon` days (offered or held out): the features the policy
knows when it decides (the offer, the customer's segment, plan and tenure) and whether the
customer was still there. Two scikit-learn logistic regressions, one on the offered customers
and one on the held-out ones, each predict retention; the predicted uplift of a customer is
the first minus the second.

Honest evaluation by 2-fold cross-fitting (`StratifiedKFold`): each half is scored by the models
trained on the other half only, so every prediction is on data the model did not see. On those
predictions the Qini curve: customers sorted by predicted uplift, for the top share `s` the
incremental retained customers `R_t(s) - R_c(s) * N_t(s) / N_c(s)` (retained offered minus
retained held-out scaled to the offered count; Radcliffe 2007, the definition scikit-uplift's
`qini_curve` uses); the random line goes straight from 0 to the total. The Qini coefficient is
the area between the curve and the random line divided by the number of customers (above 0:
the ranking finds the customers an offer helps better than offering at random).

Recommendation per offer and segment: the mean cross-fitted predicted uplift; "offer" when it is
above `MARGIN`, "skip" otherwise (it does not help, or harms), "not_enough_data" when the segment
has fewer than `MIN_HOLDOUT` held-out customers to learn from. scikit-uplift was tried for the
curve and models and not taken: its last release (0.5.1, 2022) pulls matplotlib and requests and
calls a scikit-learn function scikit-learn 1.10 removes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
from sqlalchemy import select

from bot.analytics.histories import load_histories
from bot.billing.models import Contract

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MARGIN = 0.05  # predicted retention gain below this: not worth a discount
MIN_HOLDOUT = 20  # held-out customers of a segment the control model needs to learn from
FOLDS = 2
CURVE_POINTS = 20
RANDOM_STATE = 13
FEATURES = ["offer_code", "segment", "plan"]
METHOD = (
    "two-model uplift (T-learner: scikit-learn logistic regressions for offered and held-out "
    "customers) on offer, segment, plan and tenure; 2-fold cross-fitting, Qini on out-of-fold "
    "predictions"
)
CAVEAT = (
    "learned from the randomized holdout, so offered and held-out customers are comparable; "
    "a recommendation is a prediction for customers like these, and the holdout keeps testing it"
)


@dataclass(frozen=True, slots=True)
class QiniPoint:
    share_targeted: float
    incremental_retained: float


@dataclass(frozen=True, slots=True)
class Recommendation:
    offer_code: str
    segment: str
    n: int
    holdout_n: int
    predicted_uplift: float | None
    decision: str  # "offer" | "skip" | "not_enough_data"
    reason: str

    @property
    def recommend(self) -> bool:
        return self.decision == "offer"


@dataclass(frozen=True, slots=True)
class UpliftReport:
    horizon_days: int
    n: int
    folds: int
    qini_curve: list[QiniPoint] = field(default_factory=list)
    random_line: list[QiniPoint] = field(default_factory=list)
    qini_coefficient: float | None = None
    recommendations: list[Recommendation] = field(default_factory=list)
    method: str = METHOD
    caveat: str = CAVEAT

    def skips(self) -> list[tuple[str, str]]:
        """(offer_code, segment) pairs the model says an offer does not help."""
        return [(r.offer_code, r.segment) for r in self.recommendations if r.decision == "skip"]

    def as_json(self) -> dict[str, Any]:
        def points(curve: list[QiniPoint]) -> list[dict[str, float]]:
            return [
                {"share_targeted": p.share_targeted, "incremental_retained": p.incremental_retained}
                for p in curve
            ]

        return {
            "horizon_days": self.horizon_days,
            "n": self.n,
            "folds": self.folds,
            "method": self.method,
            "qini_curve": points(self.qini_curve),
            "random_line": points(self.random_line),
            "qini_coefficient": self.qini_coefficient,
            "margin": MARGIN,
            "recommendations": [
                {
                    "offer_code": r.offer_code,
                    "segment": r.segment,
                    "n": r.n,
                    "holdout_n": r.holdout_n,
                    "predicted_uplift": r.predicted_uplift,
                    "decision": r.decision,
                    "recommend": r.recommend,
                    "reason": r.reason,
                }
                for r in self.recommendations
            ],
            "caveat": self.caveat,
        }


def load_decisions(session: Session, horizon: int) -> pd.DataFrame:
    """One row per offer decision followed `horizon` days: offer_code, segment, plan,
    tenure_months, offered (1/0) and retained (1/0)."""
    followed = [
        (h.offer_id, h.account_id, h.offer_code, h.segment, h.started_on, int(h.offered), int(kept))
        for h in load_histories(session)
        if (kept := h.retained_at(horizon)) is not None
    ]
    columns = ["offer_id", "account_id", "offer_code", "segment", "started_on", "offered"]
    frame = pd.DataFrame(followed, columns=[*columns, "retained"])
    if frame.empty:
        return frame
    frame = frame.sort_values("offer_id", kind="stable").reset_index(drop=True)

    contracts = pd.DataFrame(
        session.execute(
            select(Contract.account_id, Contract.plan_id, Contract.start_date).order_by(
                Contract.account_id, Contract.start_date
            )
        ).all(),
        columns=["account_id", "plan", "first_start"],
    ).drop_duplicates("account_id")
    frame = frame.merge(contracts, on="account_id", how="left")
    frame["plan"] = frame["plan"].fillna(0).astype(int).astype(str)
    tenure = (pd.to_datetime(frame["started_on"]) - pd.to_datetime(frame["first_start"])).dt.days
    frame["tenure_months"] = (tenure.fillna(0).clip(lower=0) / 30.4).round(1)
    return frame.reset_index(drop=True)


def _design(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    dummies = pd.get_dummies(frame[FEATURES], dtype=float)
    dummies["tenure_years"] = frame["tenure_months"] / 12
    if columns is not None:
        dummies = dummies.reindex(columns=columns, fill_value=0.0)
    return dummies


def _fit(design: pd.DataFrame, retained: pd.Series) -> LogisticRegression | float:
    """A logistic regression of retention; a constant rate when only one outcome occurs."""
    if retained.nunique() < 2:
        return float(retained.mean()) if len(retained) else 0.0
    return LogisticRegression(C=10.0, max_iter=1000).fit(design, retained)


def _predict(model: LogisticRegression | float, design: pd.DataFrame) -> np.ndarray:
    if isinstance(model, float):
        return np.full(len(design), model)
    return np.asarray(model.predict_proba(design)[:, 1])


def cross_fitted_uplift(frame: pd.DataFrame) -> np.ndarray:
    """Each decision's predicted uplift from the two models trained on the other fold."""
    design = _design(frame)
    uplift = np.zeros(len(frame))
    strata = frame["offered"].astype(str) + frame["offer_code"]
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for train, test in folds.split(design, strata):
            part = frame.iloc[train]
            offered = part["offered"] == 1
            treated = _fit(design.iloc[train][offered.to_numpy()], part["retained"][offered])
            control = _fit(design.iloc[train][~offered.to_numpy()], part["retained"][~offered])
            unseen = design.iloc[test]
            uplift[test] = _predict(treated, unseen) - _predict(control, unseen)
    return uplift


def qini_curve(
    retained: np.ndarray, offered: np.ndarray, uplift: np.ndarray, points: int = CURVE_POINTS
) -> list[QiniPoint]:
    """Incremental retained customers when targeting the top share by predicted uplift."""
    order = np.argsort(-uplift, kind="stable")
    kept, treated = retained[order], offered[order]
    n_t = np.cumsum(treated)
    n_c = np.cumsum(1 - treated)
    r_t = np.cumsum(kept * treated)
    r_c = np.cumsum(kept * (1 - treated))
    with np.errstate(divide="ignore", invalid="ignore"):  # no held-out yet: nothing to subtract
        incremental = np.where(n_c > 0, r_t - r_c * n_t / n_c, r_t)
    total = len(order)
    curve = [QiniPoint(0.0, 0.0)]
    for step in range(1, points + 1):
        k = round(total * step / points)
        curve.append(QiniPoint(step / points, float(incremental[k - 1])))
    return curve


def qini_coefficient(curve: list[QiniPoint], n: int) -> float:
    """Area between the Qini curve and the random line, per customer."""
    shares = np.array([p.share_targeted for p in curve])
    gains = np.array([p.incremental_retained for p in curve])
    random = shares * gains[-1]
    return float(np.trapezoid(gains - random, shares) / n)


def _recommend(frame: pd.DataFrame, uplift: np.ndarray) -> list[Recommendation]:
    frame = frame.assign(uplift=uplift)
    found = []
    for (code, segment), group in frame.groupby(["offer_code", "segment"], sort=True):
        holdout_n = int((group["offered"] == 0).sum())
        predicted = float(group["uplift"].mean())
        if holdout_n < MIN_HOLDOUT or holdout_n == len(group):
            decision = "not_enough_data"
            reason = (
                f"Not enough data yet: {holdout_n} held-out customers in this segment; at "
                f"least {MIN_HOLDOUT} are needed to learn what happens without the offer."
            )
            found.append(
                Recommendation(code, segment, len(group), holdout_n, None, decision, reason)
            )
            continue
        points = f"{predicted * 100:+.1f} points"
        if predicted > MARGIN:
            decision = "offer"
            reason = f"Offer: predicted retention {points} at the horizon (margin {MARGIN:.0%})."
        elif predicted < -MARGIN:
            decision = "skip"
            reason = f"Skip: the offer is predicted to lose customers ({points})."
        else:
            decision = "skip"
            reason = f"Skip: predicted change {points}, within the {MARGIN:.0%} margin: no help."
        found.append(
            Recommendation(code, segment, len(group), holdout_n, predicted, decision, reason)
        )
    return found


def uplift_model(frame: pd.DataFrame, horizon: int) -> UpliftReport:
    """The report for decisions already loaded (`load_decisions`)."""
    if frame.empty or frame["offered"].nunique() < 2:
        return UpliftReport(horizon, len(frame), FOLDS)
    uplift = cross_fitted_uplift(frame)
    retained = frame["retained"].to_numpy()
    offered = frame["offered"].to_numpy()
    curve = qini_curve(retained, offered, uplift)
    total = curve[-1].incremental_retained
    line = [QiniPoint(p.share_targeted, p.share_targeted * total) for p in curve]
    return UpliftReport(
        horizon_days=horizon,
        n=len(frame),
        folds=FOLDS,
        qini_curve=curve,
        random_line=line,
        qini_coefficient=qini_coefficient(curve, len(frame)),
        recommendations=_recommend(frame, uplift),
    )


def uplift_report(session: Session, horizon: int = 90) -> UpliftReport:
    """The uplift model, its Qini curve on unseen data and the recommendations."""
    return uplift_model(load_decisions(session, horizon), horizon)
