"""Service practices and later churn: OBSERVATIONAL, so every figure is an association, not
proven cause (nobody randomised who waited long or got a credit).

A contact is a conversation with an outcome of its own (`outcomes` without an offer, tied by the
conversation id; bot/seed/practices.py simulates them). What it had, from the product's tables:

* `long_wait`: a wait for a person over `LONG_WAIT_MINUTES` (`handoff_tickets`: claimed minus
  created); compared only among contacts that waited for a person;
* `first_contact_resolution`: no repeat contact about the same topic from the same account within
  7 days (`conversation_endings`, as the service figures define it);
* `review_credit`: a credit granted to the account during the conversation or within a day
  after it (`credit_grants`, which name no conversation);
* `arrangement`: a payment arrangement made in it (`payment_arrangements`).

Per practice: the naive difference in churn within `horizon` days (had it minus not, Newcombe
interval, `bot.analytics.proportions.compare`) and the adjusted one: inverse propensity weights
from a logistic regression of the practice on segment and plan (statsmodels Logit), then a weighted
linear regression of churn on the practice and the same covariates (regression adjustment on top
of the weights, so either model being right suffices) with a heteroscedasticity-robust (HC1,
sandwich) 95% interval. Verdicts never claim more than the interval supports: too few contacts,
or an interval that cannot rule out `MIN_EFFECT`, says "not enough data".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import statsmodels.api as sm  # type: ignore[import-untyped]
from sqlalchemy import func, select
from statsmodels.stats.power import NormalIndPower  # type: ignore[import-untyped]
from statsmodels.stats.proportion import proportion_effectsize  # type: ignore[import-untyped]

from bot.analytics.models import Outcome, OutcomeKind
from bot.analytics.proportions import compare
from bot.billing.models import Contract
from bot.commerce.models import PaymentArrangement
from bot.desk.models import HandoffTicket
from bot.review.models import CreditGrant
from bot.service.models import ConversationEnding

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CAVEAT = (
    "association, not proven cause: these customers were not randomised, so the figures are "
    "adjusted for segment and plan only; anything else that differs between them can still "
    "explain a difference"
)
LONG_WAIT_MINUTES = 10
REPEAT_WITHIN = timedelta(days=7)
CREDIT_WITHIN = timedelta(days=1)
MIN_EFFECT = 0.05  # the smallest churn difference worth acting on
MIN_GROUP = 20  # fewer contacts with (or without) a practice than this: not enough data
PROPENSITY_CLIP = (0.01, 0.99)
ADJUSTED_FOR = ["segment", "plan"]
METHOD = (
    "inverse propensity weighting (logistic propensity on segment and plan) with regression "
    "adjustment, robust (HC1) 95% interval"
)
LABELS = {
    "long_wait": f"Waited over {LONG_WAIT_MINUTES} minutes for a person",
    "first_contact_resolution": "Resolved at first contact (no repeat within 7 days)",
    "review_credit": "Got a review credit",
    "arrangement": "Made a payment arrangement",
}


@dataclass(frozen=True, slots=True)
class PracticeEffect:
    practice: str
    label: str
    horizon_days: int
    exposed_n: int
    unexposed_n: int
    exposed_churn: float | None
    unexposed_churn: float | None
    naive_difference: float | None
    naive_ci_low: float | None
    naive_ci_high: float | None
    adjusted_difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    verdict: str
    verdict_text: str
    method: str = METHOD
    adjusted_for: list[str] = field(default_factory=lambda: list(ADJUSTED_FOR))
    caveat: str = CAVEAT

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def load_contacts(session: Session, horizon: int) -> pd.DataFrame:
    """One row per contact followed `horizon` days: churned (0/1), segment, plan and the four
    practices (`long_wait` is NaN for contacts that did not wait for a person)."""
    outcomes = pd.DataFrame(
        session.execute(
            select(
                Outcome.conversation_id,
                Outcome.account_id,
                Outcome.segment,
                Outcome.kind,
                Outcome.started_on,
                Outcome.occurred_on,
            ).where(
                Outcome.offer_id.is_(None),
                Outcome.conversation_id.is_not(None),
                Outcome.kind.in_([OutcomeKind.CANCELLED, OutcomeKind.STAYED]),
            )
        ).all(),
        columns=["conversation_id", "account_id", "segment", "kind", "started_on", "occurred_on"],
    )
    if outcomes.empty:
        return outcomes
    days = (
        pd.to_datetime(outcomes["occurred_on"]) - pd.to_datetime(outcomes["started_on"])
    ).dt.days
    cancelled = outcomes["kind"] == OutcomeKind.CANCELLED
    outcomes["churned"] = (cancelled & (days <= horizon)).astype(int)
    contacts = outcomes[cancelled | (days >= horizon)].copy()

    first_contract = (
        select(Contract.account_id, func.min(Contract.id).label("first"))
        .group_by(Contract.account_id)
        .subquery()
    )
    plans = pd.DataFrame(
        session.execute(
            select(Contract.account_id, Contract.plan_id).join(
                first_contract, first_contract.c.first == Contract.id
            )
        ).all(),
        columns=["account_id", "plan"],
    )
    contacts = contacts.merge(plans, on="account_id", how="left")
    contacts["plan"] = contacts["plan"].fillna(0).astype(int).astype(str)

    tickets = pd.DataFrame(
        session.execute(
            select(
                HandoffTicket.conversation_id, HandoffTicket.created_at, HandoffTicket.claimed_at
            ).where(HandoffTicket.claimed_at.is_not(None))
        ).all(),
        columns=["conversation_id", "created_at", "claimed_at"],
    )
    waits = (
        (pd.to_datetime(tickets["claimed_at"]) - pd.to_datetime(tickets["created_at"]))
        .dt.total_seconds()
        .groupby(tickets["conversation_id"])
        .max()
    )
    contacts["long_wait"] = contacts["conversation_id"].map(
        (waits > LONG_WAIT_MINUTES * 60).astype(float)
    )
    endings = _endings(session)
    contacts["first_contact_resolution"] = 1 - _came_back(endings, contacts)
    contacts["review_credit"] = _credited(session, endings, contacts)
    arranged = set(
        session.scalars(
            select(PaymentArrangement.conversation_id)
            .where(PaymentArrangement.conversation_id.is_not(None))
            .distinct()
        )
    )
    contacts["arrangement"] = contacts["conversation_id"].isin(arranged).astype(int)
    return contacts.reset_index(drop=True)


def _endings(session: Session) -> pd.DataFrame:
    endings = pd.DataFrame(
        session.execute(
            select(
                ConversationEnding.conversation_id,
                ConversationEnding.account_id,
                ConversationEnding.topic,
                ConversationEnding.started_at,
                ConversationEnding.ended_at,
            ).where(ConversationEnding.account_id.is_not(None))
        ).all(),
        columns=["conversation_id", "account_id", "topic", "started_at", "ended_at"],
    )
    endings["started_at"] = pd.to_datetime(endings["started_at"], utc=True)
    endings["ended_at"] = pd.to_datetime(endings["ended_at"], utc=True)
    return endings


def _came_back(endings: pd.DataFrame, contacts: pd.DataFrame) -> pd.Series:
    """1 where the same account had another conversation about the same topic within 7 days
    after the contact ended."""
    first = endings[endings["conversation_id"].isin(contacts["conversation_id"])]
    pairs = first.merge(endings, on=["account_id", "topic"], suffixes=("", "_next"))
    repeat = pairs[
        (pairs["conversation_id_next"] != pairs["conversation_id"])
        & (pairs["started_at_next"] > pairs["ended_at"])
        & (pairs["started_at_next"] <= pairs["ended_at"] + REPEAT_WITHIN)
    ]
    returned = set(repeat["conversation_id"])
    return contacts["conversation_id"].isin(returned).astype(int)


def _credited(session: Session, endings: pd.DataFrame, contacts: pd.DataFrame) -> pd.Series:
    """1 where a credit was granted to the account during the contact or within
    `CREDIT_WITHIN` after it ended (a grant names no conversation)."""
    grants = pd.DataFrame(
        session.execute(select(CreditGrant.account_id, CreditGrant.created_at)).all(),
        columns=["account_id", "granted_at"],
    )
    grants["granted_at"] = pd.to_datetime(grants["granted_at"], utc=True)
    spans = endings[endings["conversation_id"].isin(contacts["conversation_id"])]
    pairs = spans.merge(grants, on="account_id")
    during = pairs[
        (pairs["granted_at"] >= pairs["started_at"])
        & (pairs["granted_at"] <= pairs["ended_at"] + CREDIT_WITHIN)
    ]
    return contacts["conversation_id"].isin(set(during["conversation_id"])).astype(int)


def _covariates(frame: pd.DataFrame) -> pd.DataFrame:
    dummies = pd.get_dummies(frame[["segment", "plan"]], drop_first=True, dtype=float)
    dummies = dummies.loc[:, dummies.std() > 0]
    return sm.add_constant(dummies, has_constant="add")


def adjusted_difference(frame: pd.DataFrame, practice: str) -> tuple[float, float, float, float]:
    """IPW + regression adjustment: (difference, ci_low, ci_high, p_value) of churn, exposed
    minus not, from `frame` (columns churned, segment, plan, `practice`)."""
    covariates = _covariates(frame)
    treated = frame[practice].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        propensity = sm.Logit(treated, covariates).fit(disp=0, maxiter=100)
        score = np.clip(propensity.predict(covariates), *PROPENSITY_CLIP)
        weights = treated / score + (1 - treated) / (1 - score)
        design = covariates.assign(treated=treated)
        model = sm.WLS(frame["churned"].astype(float), design, weights=weights).fit(
            method="qr", cov_type="HC1"
        )
    low, high = model.conf_int(alpha=0.05).loc["treated"]
    return (
        float(model.params["treated"]),
        float(low),
        float(high),
        float(model.pvalues["treated"]),
    )


def needed_per_group() -> int:
    """Contacts per group to detect `MIN_EFFECT` (30% -> 35% churn) with 80% power at 5%."""
    size = abs(proportion_effectsize(0.30 + MIN_EFFECT, 0.30))
    needed = NormalIndPower().solve_power(effect_size=size, alpha=0.05, power=0.8)
    return math.ceil(float(needed))


def _pp(value: float) -> str:
    return f"{value * 100:+.1f} points"


def practice_effect(frame: pd.DataFrame, practice: str, horizon: int) -> PracticeEffect:
    """The naive and adjusted churn difference for one practice."""
    rows = frame[frame[practice].notna()] if not frame.empty else frame
    exposed = rows[rows[practice] == 1] if not rows.empty else rows
    unexposed = rows[rows[practice] == 0] if not rows.empty else rows
    n1, n0 = len(exposed), len(unexposed)
    c1 = int(exposed["churned"].sum()) if n1 else 0
    c0 = int(unexposed["churned"].sum()) if n0 else 0
    naive = compare(c1, n1, c0, n0) if n1 and n0 else None
    adjusted = None
    if n1 >= MIN_GROUP and n0 >= MIN_GROUP:
        adjusted = adjusted_difference(rows, practice)
        if not all(map(math.isfinite, adjusted)):
            adjusted = None
    label = LABELS[practice]
    needed = needed_per_group()
    if adjusted is None:
        verdict = "not_enough_data"
        text = (
            f"Not enough data yet: {n1} contacts had it and {n0} did not (followed {horizon} "
            f"days); about {needed} in each group are needed to tell {MIN_EFFECT * 100:.0f} points."
        )
    else:
        diff, low, high, _ = adjusted
        interval = f"95% CI {_pp(low)} to {_pp(high)}"
        if low > 0:
            verdict = "associated_more_churn"
            text = (
                f"{label}: associated with more churn at {horizon} days, {_pp(diff)} ({interval})."
            )
        elif high < 0:
            verdict = "associated_less_churn"
            text = (
                f"{label}: associated with less churn at {horizon} days, {_pp(diff)} ({interval})."
            )
        elif max(-low, high) < MIN_EFFECT:
            verdict = "no_association"
            text = (
                f"{label}: no association of {MIN_EFFECT * 100:.0f} points or more with churn at "
                f"{horizon} days ({interval})."
            )
        else:
            verdict = "not_enough_data"
            text = (
                f"Not enough data yet: the adjusted difference could be anything from {_pp(low)} "
                f"to {_pp(high)}; about {needed} contacts in each group are needed to tell "
                f"{MIN_EFFECT * 100:.0f} points (now {n1} and {n0})."
            )
    return PracticeEffect(
        practice=practice,
        label=label,
        horizon_days=horizon,
        exposed_n=n1,
        unexposed_n=n0,
        exposed_churn=c1 / n1 if n1 else None,
        unexposed_churn=c0 / n0 if n0 else None,
        naive_difference=naive.difference if naive else None,
        naive_ci_low=naive.ci_low if naive else None,
        naive_ci_high=naive.ci_high if naive else None,
        adjusted_difference=adjusted[0] if adjusted else None,
        ci_low=adjusted[1] if adjusted else None,
        ci_high=adjusted[2] if adjusted else None,
        p_value=adjusted[3] if adjusted else None,
        verdict=verdict,
        verdict_text=f"{text} Caveat: {CAVEAT}.",
    )


def practice_effects(session: Session, horizon: int = 90) -> list[PracticeEffect]:
    """Every practice's association with churn within `horizon` days."""
    frame = load_contacts(session, horizon)
    if frame.empty:
        frame = pd.DataFrame(columns=["churned", "segment", "plan", *LABELS])
    return [practice_effect(frame, practice, horizon) for practice in LABELS]
