"""Discounts never stack beyond the granting tier: the one implementation of that rule.

    check_stacking(session, account_id, Tier.AGENT, limits, start, end, percent, monthly)

Before a discount from `start` to `end` is applied, the account is locked (bot.billing.locking)
and, on every day of that period, the discounts already running that day plus the new one must
stay within the granting tier's `max_percent` and `max_monthly_amount` (config/discount_policy.yml).
Whoever granted the earlier discounts (the bot's accepted offers, agents, supervisors) they count.
Beyond it: AuthorityUsedUp, saying what remains (the caller commits the discount, which frees the
lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.locking import lock_account
from bot.commerce.models import AccountDiscount
from bot.core.errors import AuthorityUsedUp
from bot.core.money import format_amount

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.commerce.policy import TierLimits
    from bot.commerce.types import Tier


@dataclass(frozen=True, slots=True)
class Stack:
    """The most the running discounts add up to on any one day of a period."""

    percent: int
    monthly_cents: int


def running_stack(session: Session, account_id: int, start: date, end: date) -> Stack:
    """The peak of the discounts overlapping `start`..`end` (both inclusive)."""
    running = session.scalars(
        select(AccountDiscount).where(
            AccountDiscount.account_id == account_id,
            AccountDiscount.start_date <= end,
            AccountDiscount.end_date >= start,
        )
    ).all()
    # The sum over a day changes only where a discount starts, so the peak is at one of those.
    days = {start} | {row.start_date for row in running if row.start_date > start}
    peak = Stack(0, 0)
    for day in days:
        live = [row for row in running if row.start_date <= day <= row.end_date]
        percent = sum(row.percent for row in live)
        monthly = sum(row.monthly_amount_cents for row in live)
        peak = Stack(max(peak.percent, percent), max(peak.monthly_cents, monthly))
    return peak


def check_stacking(
    session: Session,
    account_id: int,
    tier: Tier,
    limits: TierLimits,
    period: tuple[date, date],
    percent: int,
    monthly_cents: int,
) -> None:
    """Lock the account; AuthorityUsedUp if the new discount would stack beyond `limits`."""
    lock_account(session, account_id)
    start, end = period
    stack = running_stack(session, account_id, start, end)
    if (
        stack.percent + percent <= limits.max_percent
        and stack.monthly_cents + monthly_cents <= limits.max_monthly_amount
    ):
        return
    room_percent = max(0, limits.max_percent - stack.percent)
    room_monthly = max(0, limits.max_monthly_amount - stack.monthly_cents)
    raise AuthorityUsedUp(
        f"discounts of {stack.percent}% ({format_amount(stack.monthly_cents)} a month) already "
        f"run in those months, and the {tier.value} tier allows at most "
        f"{limits.max_percent}% ({format_amount(limits.max_monthly_amount)} a month) in total: "
        f"at most {room_percent}% ({format_amount(room_monthly)} a month) remains",
        f"{room_percent}%",
    )
