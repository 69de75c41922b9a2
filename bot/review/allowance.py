"""How much more may be credited: the two cumulative credit rules, in one place.

    room = credit_room(session, account_id=..., invoice=..., tier=Tier.AGENT,
                       limit_cents=10_000, window_days=30, now=now)   # locks the account first
    room.check(amount_cents)      # AuthorityUsedUp / CreditExceedsInvoice, saying what remains
    record_grant(session, credit, Tier.AGENT, actor)                  # with the adjustment

1. Every credit on an invoice together (the bot's review credits, the desk's finding and
   goodwill credits, any adjustment of kind `credit`) never exceeds what the invoice charged.
2. A role (tier `bot`, `agent` or `supervisor`) grants an account at most its limit
   (BOT_CREDIT_LIMIT, AGENT_CREDIT_LIMIT, SUPERVISOR_CREDIT_LIMIT) in total within a rolling
   window of CREDIT_LIMIT_WINDOW_DAYS (default 30) days, whichever person of that role granted.

`credit_room` takes the account's lock (bot.billing.locking) before it reads the sums, so the
check and the insert that follows are one serialised step: two concurrent requests cannot both
pass. The caller inserts the adjustment and its `record_grant` row and commits (which frees it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.billing.locking import lock_account
from bot.billing.models import Adjustment
from bot.billing.types import AdjustmentKind
from bot.commerce.types import Tier
from bot.core.errors import AuthorityUsedUp, CreditExceedsInvoice
from bot.core.money import format_amount, format_money
from bot.review.models import CreditGrant

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.billing.models import Invoice

DEFAULT_WINDOW_DAYS = 30  # CREDIT_LIMIT_WINDOW_DAYS
ROLE_NAMES = {Tier.BOT: "the bot", Tier.AGENT: "agents", Tier.SUPERVISOR: "supervisors"}


@dataclass(frozen=True, slots=True)
class CreditRoom:
    """What an invoice and a role's limit still allow, read under the account's lock."""

    tier: Tier
    invoice_number: str
    invoice_total_cents: int
    invoice_credited_cents: int
    limit_cents: int
    granted_cents: int  # by this role to this account within the window
    window_days: int

    @property
    def invoice_remaining_cents(self) -> int:
        return max(0, self.invoice_total_cents - self.invoice_credited_cents)

    @property
    def role_remaining_cents(self) -> int:
        return max(0, self.limit_cents - self.granted_cents)

    @property
    def remaining_cents(self) -> int:
        return min(self.invoice_remaining_cents, self.role_remaining_cents)

    def role_allows(self, amount_cents: int) -> bool:
        return amount_cents <= self.role_remaining_cents

    def role_message(self, amount_cents: int) -> str:
        return (
            f"{ROLE_NAMES[self.tier]} credited {format_money(self.granted_cents)} to this account "
            f"in the last {self.window_days} days, and may credit at most "
            f"{format_money(self.limit_cents)} in that time: {format_money(amount_cents)} more "
            f"is too much; at most {format_money(self.role_remaining_cents)} remains"
        )

    def check_invoice(self, amount_cents: int) -> None:
        """CreditExceedsInvoice unless the invoice can take `amount_cents` more credit."""
        if amount_cents > self.invoice_remaining_cents:
            raise CreditExceedsInvoice(
                f"{self.invoice_number} charged {format_money(self.invoice_total_cents)} and "
                f"{format_money(self.invoice_credited_cents)} is already credited on it: at most "
                f"{format_money(self.invoice_remaining_cents)} more can be credited",
                format_amount(self.invoice_remaining_cents),
            )

    def check(self, amount_cents: int) -> None:
        """Both rules: the invoice first (no role may pass it), then the role's sum."""
        self.check_invoice(amount_cents)
        if not self.role_allows(amount_cents):
            suffix = "; ask a supervisor" if self.tier is Tier.AGENT else ""
            raise AuthorityUsedUp(
                self.role_message(amount_cents) + suffix, format_amount(self.role_remaining_cents)
            )


def credited_on_invoice(session: Session, invoice_id: int) -> int:
    """Every credit on the invoice so far, whoever granted it."""
    total = session.scalar(
        select(func.coalesce(func.sum(Adjustment.amount_cents), 0)).where(
            Adjustment.invoice_id == invoice_id, Adjustment.kind == AdjustmentKind.CREDIT
        )
    )
    return int(total or 0)


def granted_by_role(session: Session, account_id: int, tier: Tier, since: datetime) -> int:
    """What `tier` credited to the account since `since` (inclusive)."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditGrant.amount_cents), 0)).where(
            CreditGrant.account_id == account_id,
            CreditGrant.tier == tier,
            CreditGrant.created_at >= since,
        )
    )
    return int(total or 0)


def credit_room(
    session: Session,
    *,
    account_id: int,
    invoice: Invoice,
    tier: Tier,
    limit_cents: int,
    window_days: int,
    now: datetime,
) -> CreditRoom:
    """Lock the account, then read what the invoice and the role's limit still allow."""
    lock_account(session, account_id)
    since = now - timedelta(days=window_days)
    return CreditRoom(
        tier=tier,
        invoice_number=invoice.number,
        invoice_total_cents=invoice.total_cents,
        invoice_credited_cents=credited_on_invoice(session, invoice.id),
        limit_cents=limit_cents,
        granted_cents=granted_by_role(session, account_id, tier, since),
        window_days=window_days,
    )


def record_grant(session: Session, credit: Adjustment, tier: Tier, actor: str) -> None:
    """Count the (flushed) credit against `tier`'s limit on its account."""
    session.add(
        CreditGrant(
            adjustment_id=credit.id,
            account_id=credit.account_id,
            tier=tier,
            actor=actor,
            amount_cents=credit.amount_cents,
            created_at=credit.created_at,
        )
    )
