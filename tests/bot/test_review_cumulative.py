"""The bot's credits hold cumulatively too: BOT_CREDIT_LIMIT is for the sum of its credits to an
account within the window (beyond it the finding goes to a person), and no invoice gets more
credit than it charged, whoever credited it before. Marko (100002): one finding, 12.18, on
INV-100002-202611 (48.65)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.api.errors import status_and_code
from bot.billing.models import Adjustment
from bot.billing.types import AdjustmentKind
from bot.commerce.types import Tier
from bot.core.errors import BeyondAuthority, CreditExceedsInvoice
from bot.review import credits, service
from bot.review.allowance import DEFAULT_WINDOW_DAYS
from bot.review.models import CreditGrant, Finding
from bot.review.types import FindingStatus
from tests.bot.safety_helpers import context, step_up_now

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.billing.models import Invoice
    from tests.bot.conftest import FakeClock

LIMIT = 2000


def _finding(session: Session, clock: FakeClock) -> Finding:
    ctx = context(session, "100002", clock())
    (found,) = service.run_review(session, ctx.account, clock(), limit_cents=LIMIT).findings
    finding = session.get(Finding, found.id)
    assert finding is not None
    return finding


def _earlier_credit(
    session: Session, invoice: Invoice, cents: int, at: datetime, tier: Tier | None
) -> None:
    """A credit granted before (by `tier`; None: not counted against any role, e.g. seeded)."""
    credit = Adjustment(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        kind=AdjustmentKind.CREDIT,
        amount_cents=cents,
        reason="earlier",
        created_at=at,
    )
    session.add(credit)
    session.flush()
    if tier is not None:
        session.add(
            CreditGrant(
                adjustment_id=credit.id,
                account_id=invoice.account_id,
                tier=tier,
                actor="bot",
                amount_cents=cents,
                created_at=at,
            )
        )
    session.commit()


def test_the_bots_earlier_credits_count_against_its_limit(
    seeded_session: Session, clock: FakeClock
) -> None:
    finding = _finding(seeded_session, clock)
    _earlier_credit(seeded_session, finding.invoice, 1000, clock() - timedelta(days=3), Tier.BOT)
    _earlier_credit(seeded_session, finding.invoice, 900, clock(), Tier.AGENT)  # not the bot's
    ctx = context(seeded_session, "100002", clock(), key="bot-credit-1")
    step_up_now(seeded_session, ctx)
    with pytest.raises(BeyondAuthority, match=r"at most 10\.00 EUR remains; a colleague") as err:
        credits.credit_finding(seeded_session, ctx, finding.id, LIMIT)
    assert status_and_code(err.value) == (409, "beyond_authority")  # the bot offers a person
    seeded_session.refresh(finding)
    assert finding.status is FindingStatus.ESCALATED


def test_credits_older_than_the_window_do_not_count(
    seeded_session: Session, clock: FakeClock
) -> None:
    finding = _finding(seeded_session, clock)
    long_ago = clock() - timedelta(days=DEFAULT_WINDOW_DAYS, seconds=1)
    _earlier_credit(seeded_session, finding.invoice, 1000, long_ago, Tier.BOT)
    ctx = context(seeded_session, "100002", clock(), key="bot-credit-2")
    step_up_now(seeded_session, ctx)
    assert credits.credit_finding(seeded_session, ctx, finding.id, LIMIT).status_code == 201
    grants = seeded_session.scalars(select(CreditGrant).where(CreditGrant.created_at == clock()))
    assert [(g.tier, g.actor, g.amount_cents) for g in grants] == [(Tier.BOT, "bot", 1218)]


def test_the_bot_never_credits_an_invoice_beyond_its_total(
    seeded_session: Session, clock: FakeClock
) -> None:
    finding = _finding(seeded_session, clock)
    _earlier_credit(seeded_session, finding.invoice, 4000, clock(), None)  # e.g. goodwill
    ctx = context(seeded_session, "100002", clock(), key="bot-credit-3")
    step_up_now(seeded_session, ctx)
    with pytest.raises(CreditExceedsInvoice, match=r"at most 8\.65 EUR more") as refused:
        credits.credit_finding(seeded_session, ctx, finding.id, LIMIT)
    assert refused.value.remaining == "8.65"
    seeded_session.refresh(finding)
    assert finding.status is FindingStatus.OPEN  # nothing happened; a person can look at it


def test_a_window_of_one_day(seeded_session: Session, clock: FakeClock) -> None:
    finding = _finding(seeded_session, clock)
    _earlier_credit(seeded_session, finding.invoice, 1000, clock() - timedelta(days=2), Tier.BOT)
    ctx = context(seeded_session, "100002", clock(), key="bot-credit-4")
    step_up_now(seeded_session, ctx)
    result = credits.credit_finding(seeded_session, ctx, finding.id, LIMIT, window_days=1)
    assert result.status_code == 201
