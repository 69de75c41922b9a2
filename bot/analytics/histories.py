"""One offer decision's history, read from `offers` and `outcomes`: the arm it fell in, how long
it was followed and whether it ended in a cancellation (the input of every retention figure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select

from bot.analytics.models import Outcome, OutcomeKind
from bot.commerce.models import Offer
from bot.commerce.types import OfferStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ARMS = {
    OfferStatus.OFFERED: True,
    OfferStatus.ACCEPTED: True,
    OfferStatus.DECLINED: True,
    OfferStatus.HOLDOUT: False,
}


@dataclass(frozen=True, slots=True)
class History:
    offer_id: int
    account_id: int
    offer_code: str
    segment: str
    offered: bool  # False: the randomized holdout
    started_on: date
    days: int  # to the cancellation, or to the last day the customer was seen staying
    cancelled: bool
    cost_cents: int  # the discount given (accepted offers: monthly amount x months)

    def retained_at(self, horizon: int) -> bool | None:
        """Still a customer `horizon` days after the decision; None when not followed so long."""
        if self.cancelled and self.days <= horizon:
            return False
        return True if self.days >= horizon else None


def load_histories(session: Session) -> list[History]:
    """Every offer decision with outcomes (offered or held out), oldest first."""
    cancelled_on = func.min(case((Outcome.kind == OutcomeKind.CANCELLED, Outcome.occurred_on)))
    statement = (
        select(
            Outcome.offer_id,
            Offer.account_id,
            Outcome.offer_code,
            Outcome.segment,
            Offer.status,
            Outcome.started_on,
            cancelled_on,
            func.max(Outcome.occurred_on),
            Offer.monthly_amount_cents,
            Offer.months,
        )
        .join(Offer, Offer.id == Outcome.offer_id)
        .where(Offer.status.in_(list(ARMS)), Outcome.offer_code.is_not(None))
        .group_by(
            Outcome.offer_id,
            Offer.account_id,
            Outcome.offer_code,
            Outcome.segment,
            Offer.status,
            Outcome.started_on,
            Offer.monthly_amount_cents,
            Offer.months,
        )
        .order_by(Outcome.started_on, Outcome.offer_id)
    )
    histories = []
    for row in session.execute(statement):
        offer_id, account_id, code, segment, status, started, cancelled, last_seen = row[:8]
        amount, months = row[8:]
        end = cancelled or last_seen
        cost = (amount or 0) * (months or 0) if status == OfferStatus.ACCEPTED else 0
        histories.append(
            History(
                offer_id=offer_id,
                account_id=account_id,
                offer_code=str(code),
                segment=segment,
                offered=ARMS[status],
                started_on=started,
                days=(end - started).days,
                cancelled=cancelled is not None,
                cost_cents=cost,
            )
        )
    return histories
