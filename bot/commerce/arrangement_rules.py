"""Payment arrangement limits and schedules, as pure functions over cents and dates.

An account may set up an arrangement when it owes something (at least `min_balance`) and has no
active arrangement. Two kinds:
* `extend_due_date` by 1..`max_extension_days` days: one instalment of the whole balance, due that
  many days after the base date;
* `split` into one of `instalment_counts` (2 or 3) monthly instalments, the first due on the base
  date; the cents that do not divide evenly go to the first instalments, so the parts add up to
  the balance exactly.
The base date is the due date of the oldest unpaid invoice, or today when that has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.commerce.types import ArrangementKind
from bot.core.dates import add_months
from bot.core.errors import InvalidRequest
from bot.core.money import format_amount
from bot.core.texts import Texts

if TYPE_CHECKING:
    from bot.commerce.policy import ArrangementPolicy


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int
    due_date: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class ArrangementOptions:
    eligible: bool
    reason_key: str  # why (not): a key of the backend catalogue, for the customer
    has_active: bool
    balance_cents: int
    base_date: date
    max_extension_days: int
    instalment_counts: tuple[int, ...]

    @property
    def reason(self) -> str:
        """Why (not), in English: for error messages and logs."""
        return Texts()(self.reason_key)


def base_date(next_due_date: date | None, today: date) -> date:
    return today if next_due_date is None else max(next_due_date, today)


def arrangement_options(
    policy: ArrangementPolicy,
    balance_cents: int,
    next_due_date: date | None,
    has_active: bool,
    today: date,
) -> ArrangementOptions:
    """What the account may ask for today, or why nothing."""
    eligible, key = True, "arrangement.eligible"
    if has_active:
        eligible, key = False, "arrangement.active"
    elif balance_cents < policy.min_balance or balance_cents <= 0:
        eligible, key = False, "arrangement.nothing_owed"
    return ArrangementOptions(
        eligible=eligible,
        reason_key=key,
        has_active=has_active,
        balance_cents=balance_cents,
        base_date=base_date(next_due_date, today),
        max_extension_days=policy.max_extension_days,
        instalment_counts=tuple(sorted(policy.instalment_counts)),
    )


def extension_schedule(balance_cents: int, base: date, days: int) -> list[Instalment]:
    return [Instalment(1, base + timedelta(days=days), balance_cents)]


def split_schedule(balance_cents: int, base: date, count: int) -> list[Instalment]:
    share, extra = divmod(balance_cents, count)
    return [
        Instalment(number + 1, add_months(base, number), share + (1 if number < extra else 0))
        for number in range(count)
    ]


def plan_schedule(
    options: ArrangementOptions, kind: ArrangementKind, days: int | None, count: int | None
) -> list[Instalment]:
    """The schedule for a request, or InvalidRequest when it is outside the limits."""
    if not options.eligible:
        raise InvalidRequest(f"no payment arrangement possible: {options.reason}")
    if kind is ArrangementKind.EXTEND_DUE_DATE:
        if days is None or not 1 <= days <= options.max_extension_days:
            raise InvalidRequest(
                f"days: the due date can move by 1 to {options.max_extension_days} days"
            )
        return extension_schedule(options.balance_cents, options.base_date, days)
    if count is None or count not in options.instalment_counts:
        allowed = " or ".join(str(n) for n in options.instalment_counts)
        raise InvalidRequest(f"instalments: the balance can be split into {allowed} parts")
    if options.balance_cents < count:
        raise InvalidRequest(f"{format_amount(options.balance_cents)} is too small to split")
    return split_schedule(options.balance_cents, options.base_date, count)
