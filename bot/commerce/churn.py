"""The churn-risk score: how likely an account is to leave, 0 (staying) to 1 (leaving).

A transparent sum of points from the account's history (`AccountHistory`), capped at 1:

    0.05                                  base
  + 0.35  if the contract ends within 31 days, has ended, or has no end date (free to leave)
    0.20  else if it ends within 90 days
  + 0.15  per price increase in the last 12 months, at most 0.30
  + 0.10  per complaint (dispute or price complaint) in the last 12 months, at most 0.20
  + 0.05  per invoice paid late (or not paid by its due date) in the last 12 months, at most 0.15
  + 0.10  if the account is younger than 12 months

A price increase is an invoice whose full-month plan charge after discounts is higher than the
previous invoice's (a promotion ending counts). The score is kept in whole hundredths, so it is
exact and reproducible; `churn_risk` returns it as a float with two decimals.

Examples (today 2026-11-15): Eva, 36 months, contract ending 2026-11-30, nothing else: 0.40.
Ana, 13 months, contract to 2027, welcome discount ended last month: 0.05 + 0.15 = 0.20.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from datetime import date

BASE: Final = 5
CONTRACT_ENDING_SOON: Final = 35  # within this many days, ended or open-ended
CONTRACT_ENDING: Final = 20
SOON_DAYS: Final = 31
ENDING_DAYS: Final = 90
PER_PRICE_INCREASE, MAX_PRICE_INCREASES = 15, 30
PER_COMPLAINT, MAX_COMPLAINTS = 10, 20
PER_LATE_PAYMENT, MAX_LATE_PAYMENTS = 5, 15
NEW_ACCOUNT: Final = 10
NEW_ACCOUNT_MONTHS: Final = 12


@dataclass(frozen=True, slots=True)
class AccountHistory:
    """What the policy knows about an account on a given day."""

    tenure_months: int
    invoices_due: int  # invoices whose due date has passed
    invoices_paid_on_time: int  # of those, fully paid by their due date
    late_payments_12m: int
    complaints_12m: int
    price_increases_12m: int
    discounts_12m: int  # retention discounts granted in the last 12 months
    contract_end: date | None
    monthly_price_cents: int  # the current plan's list price, what a discount is a percent of

    @property
    def on_time_ratio(self) -> float:
        """Share of due invoices paid on time; 1.0 when nothing has fallen due yet."""
        if self.invoices_due == 0:
            return 1.0
        return self.invoices_paid_on_time / self.invoices_due


def days_to_contract_end(history: AccountHistory, today: date) -> int | None:
    """Days until the contract ends (negative once ended); None for an open-ended contract."""
    if history.contract_end is None:
        return None
    return (history.contract_end - today).days


def churn_points(history: AccountHistory, today: date) -> int:
    """The score in hundredths, 0..100 (see the module docstring for the formula)."""
    points = BASE
    days = days_to_contract_end(history, today)
    if days is None or days <= SOON_DAYS:
        points += CONTRACT_ENDING_SOON
    elif days <= ENDING_DAYS:
        points += CONTRACT_ENDING
    points += min(MAX_PRICE_INCREASES, PER_PRICE_INCREASE * max(0, history.price_increases_12m))
    points += min(MAX_COMPLAINTS, PER_COMPLAINT * max(0, history.complaints_12m))
    points += min(MAX_LATE_PAYMENTS, PER_LATE_PAYMENT * max(0, history.late_payments_12m))
    if history.tenure_months < NEW_ACCOUNT_MONTHS:
        points += NEW_ACCOUNT
    return max(0, min(100, points))


def churn_risk(history: AccountHistory, today: date) -> float:
    """The churn-risk score, 0.00..1.00."""
    return churn_points(history, today) / 100
