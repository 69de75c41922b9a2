"""Simulated retention histories with planted effects: one offer decision per generated
customer one to two years before `as_of`, then what happened (rows of `offers` and
`outcomes`). Older than a year, the decisions stay out of the live bot's 12-month complaint
and discount counts, so the generated customers' eligibility is what it was without them.

The effects are planted so the analysis can be checked against them (`PLANTED`, `SMALL`):

* `price_match` works for price-sensitive customers (90-day retention 60% -> 80%) and does
  nothing for loyal ones (85% -> 85%): one offer, two segments, two answers;
* "sleeping dogs": quiet customers who are contacted with a `retention` offer leave more
  (85% -> 65%);
* a `pilot` segment of only `SMALL_CUSTOMERS` customers with a real but modest effect
  (70% -> 80%): too few to tell, which the analysis must say.

The holdout follows the discount policy: the same stable coin (`in_holdout`) at the policy's
`holdout.share`. Time to cancellation is exponential with the rate that gives the planted
90-day retention, so retention at any horizon h is `r90 ** (h / 90)` and the hazard ratio
offered/holdout is `ln(r90 offered) / ln(r90 holdout)`, proportional by construction. Repeat
contacts (`came_back`) and downgrades happen along the way and do not end the history.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.analytics.models import Outcome, OutcomeKind
from bot.billing.models import Account, Contract
from bot.commerce.decisions import discount_amount, holdout_period, in_holdout
from bot.commerce.models import Offer
from bot.commerce.types import OfferStatus, Trigger
from bot.seed.catalog import PLANS
from bot.seed.rows import table_of

if TYPE_CHECKING:
    from datetime import date

    from bot.seed.rows import Rows

SMALL_CUSTOMERS = 40  # the first generated customers form the too-small `pilot` segment
FIRST_DAY, LAST_DAY = 366, 730  # days before `as_of` a decision falls on
ACCEPT_SHARE = 0.6  # offered customers who accept (the discount's cost counts only for them)
CAME_BACK_SHARE = 0.2
DOWNGRADE_SHARE = 0.08
_PRICES = {plan.id: plan.price_cents for plan in PLANS}


@dataclass(frozen=True, slots=True)
class PlantedEffect:
    segment: str
    offer_code: str
    trigger: Trigger
    percent: int
    months: int
    holdout_retention_90: float
    offered_retention_90: float
    share: float  # of the generated customers after the small segment

    @property
    def difference_90(self) -> float:
        return self.offered_retention_90 - self.holdout_retention_90

    def retention(self, offered: bool, days: int) -> float:
        """The planted probability of still being a customer `days` after the decision."""
        r90 = self.offered_retention_90 if offered else self.holdout_retention_90
        return float(r90 ** (days / 90))

    def difference(self, days: int) -> float:
        return self.retention(True, days) - self.retention(False, days)

    @property
    def hazard_ratio(self) -> float:
        return math.log(self.offered_retention_90) / math.log(self.holdout_retention_90)


PLANTED = (
    PlantedEffect(
        "price_sensitive", "price_match", Trigger.PRICE_COMPLAINT, 10, 6, 0.60, 0.80, 0.40
    ),
    PlantedEffect("loyal", "price_match", Trigger.PRICE_COMPLAINT, 10, 6, 0.85, 0.85, 0.35),
    PlantedEffect("quiet", "retention", Trigger.CANCELLATION, 20, 6, 0.85, 0.65, 0.25),
)
SMALL = PlantedEffect("pilot", "loyalty", Trigger.DISCOUNT_REQUEST, 15, 12, 0.70, 0.80, 0.0)


def _effect_for(index: int, rng: random.Random) -> PlantedEffect:
    if index < SMALL_CUSTOMERS:
        return SMALL
    draw = rng.random()
    for effect in PLANTED:
        if draw < effect.share:
            return effect
        draw -= effect.share
    return PLANTED[-1]


def add_outcomes(rows: Rows, as_of: date, holdout_share: float, first_generated: int) -> None:
    """Add a decision and its history for every generated account in this batch of `rows`
    (account numbers from `first_generated` on; the demo accounts get none)."""
    prices = {
        contract["account_id"]: _PRICES[contract["plan_id"]]
        for contract in rows.by_table.get(table_of(Contract), [])
    }
    for account in rows.by_table.get(table_of(Account), []):
        index = int(str(account["account_number"])) - first_generated
        if index >= 0:
            _simulate(rows, account, prices.get(account["id"], 0), index, as_of, holdout_share)


def _simulate(
    rows: Rows,
    account: dict[str, object],
    price_cents: int,
    index: int,
    as_of: date,
    holdout_share: float,
) -> None:
    number = str(account["account_number"])
    account_id = int(str(account["id"]))
    rng = random.Random(f"outcomes:{number}")
    effect = _effect_for(index, rng)
    started = as_of - timedelta(days=rng.randint(FIRST_DAY, LAST_DAY))
    decided_at = datetime.combine(started, time(10), tzinfo=UTC)
    period = holdout_period(started)
    held_out = in_holdout(number, effect.trigger, period, holdout_share)
    status = (
        OfferStatus.HOLDOUT
        if held_out
        else OfferStatus.ACCEPTED
        if rng.random() < ACCEPT_SHARE
        else OfferStatus.DECLINED
    )
    amount = None if held_out else discount_amount(price_cents, effect.percent)
    conversation = f"seed-{number}-{started:%Y%m%d}"
    offer_id = rows.add(
        Offer,
        account_id=account_id,
        conversation_id=conversation,
        trigger=effect.trigger,
        status=status,
        offer_code=None if held_out else effect.offer_code,
        percent=None if held_out else effect.percent,
        monthly_amount_cents=amount,
        months=None if held_out else effect.months,
        tier=None,
        reason="held out (experiment)" if held_out else f"offered {effect.offer_code}",
        actor="bot",
        churn_risk=Decimal("0.50"),
        period=period,
        created_at=decided_at,
        expires_at=None if held_out else decided_at + timedelta(days=7),
        responded_at=None if held_out else decided_at + timedelta(hours=1),
    )
    rate = -math.log(effect.retention(not held_out, 90)) / 90
    lifetime = max(1, math.ceil(rng.expovariate(rate)))
    followed = (as_of - started).days
    last_day = min(lifetime, followed)

    def outcome(kind: OutcomeKind, day: int) -> None:
        rows.add(
            Outcome,
            account_id=account_id,
            offer_id=offer_id,
            conversation_id=conversation,
            offer_code=effect.offer_code,
            segment=effect.segment,
            kind=kind,
            started_on=started,
            occurred_on=started + timedelta(days=day),
            recorded_at=decided_at + timedelta(days=day),
        )

    if rng.random() < CAME_BACK_SHARE:
        outcome(OutcomeKind.CAME_BACK, rng.randint(1, min(last_day, 60)))
    if rng.random() < DOWNGRADE_SHARE:
        outcome(OutcomeKind.DOWNGRADED, rng.randint(1, last_day))
    if lifetime <= followed:
        outcome(OutcomeKind.CANCELLED, lifetime)
    else:
        outcome(OutcomeKind.STAYED, followed)
