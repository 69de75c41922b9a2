"""The account history the policy reads, and discounts granted by agents, on the seeded data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.billing.models import Invoice, InvoiceLine
from bot.commerce.churn import AccountHistory, churn_risk
from bot.commerce.decisions import decide
from bot.commerce.grants import check_authority, grant_discount
from bot.commerce.history import account_history, tenure_months
from bot.commerce.models import AccountDiscount, Offer
from bot.commerce.types import Decision, Tier, Trigger
from bot.core.errors import BeyondAuthority
from bot.disputes.models import Dispute
from bot.safety.models import AuditEntry
from tests.bot.commerce.factories import shipped_policy
from tests.bot.conftest import AS_OF, NOW
from tests.bot.safety_helpers import account


def test_eva_history(seeded_session: Session) -> None:
    eva = account_history(seeded_session, account(seeded_session, "100003"), AS_OF)
    assert eva == AccountHistory(
        tenure_months=36,
        invoices_due=35,  # the latest invoice is due on 30 November
        invoices_paid_on_time=35,
        late_payments_12m=0,
        complaints_12m=0,
        price_increases_12m=0,
        discounts_12m=0,
        contract_end=date(2026, 11, 30),
        monthly_price_cents=5990,
    )
    assert churn_risk(eva, AS_OF) == 0.40
    result = decide(shipped_policy(), eva, "100003", Trigger.CANCELLATION, AS_OF)
    assert result.decision is Decision.OFFER
    assert result.offer is not None
    assert result.offer.code == "loyalty"


def test_ana_history_counts_the_end_of_her_welcome_discount(seeded_session: Session) -> None:
    ana = account_history(seeded_session, account(seeded_session, "100001"), AS_OF)
    assert (ana.tenure_months, ana.price_increases_12m, ana.discounts_12m) == (13, 1, 0)
    assert ana.on_time_ratio == 1.0
    assert ana.contract_end == date(2027, 9, 30)
    assert churn_risk(ana, AS_OF) == 0.20


def test_seeded_discounts_and_late_payments_are_seen(seeded_session: Session) -> None:
    with_discount = account_history(seeded_session, account(seeded_session, "100011"), AS_OF)
    assert with_discount.discounts_12m == 1
    histories = [
        account_history(seeded_session, account(seeded_session, str(n)), AS_OF)
        for n in range(100005, 100035)
    ]
    assert any(h.late_payments_12m > 0 for h in histories)
    assert any(h.on_time_ratio < 1 for h in histories)
    assert sum(h.discounts_12m for h in histories) >= 2


def test_price_complaints_count_as_complaints(seeded_session: Session) -> None:
    eva = account(seeded_session, "100003")
    for conversation in ("c1", "c1", "c2"):
        seeded_session.add(
            Offer(
                account_id=eva.id,
                conversation_id=conversation,
                trigger=Trigger.PRICE_COMPLAINT,
                status="offered",
                reason="test",
                actor="bot",
                churn_risk=0,
                period="2026-11",
                created_at=NOW,
            )
        )
    seeded_session.commit()
    assert account_history(seeded_session, eva, AS_OF).complaints_12m == 2  # conversations
    invoice_id, line_id = seeded_session.execute(
        select(Invoice.id, InvoiceLine.id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(Invoice.account_id == eva.id)
        .limit(1)
    ).one()
    seeded_session.add(
        Dispute(
            account_id=eva.id,
            invoice_id=invoice_id,
            line_id=line_id,
            reason="test",
            status="rejected",
            conversation_id="c3",
            created_by="bot",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    seeded_session.commit()
    history = account_history(seeded_session, eva, AS_OF)
    assert history.complaints_12m == 3  # a dispute counts, whatever became of it
    assert churn_risk(history, AS_OF) == 0.60  # complaints add at most 0.20


@pytest.mark.parametrize(
    ("opened", "today", "months"),
    [
        (date(2023, 11, 1), date(2026, 11, 15), 36),
        (date(2023, 11, 20), date(2026, 11, 15), 35),
        (date(2026, 11, 20), date(2026, 11, 25), 0),
    ],
)
def test_tenure_counts_whole_months(opened: date, today: date, months: int) -> None:
    assert tenure_months(opened, today) == months


def test_an_agent_grants_within_the_agent_tier(seeded_session: Session) -> None:
    ana = account(seeded_session, "100001")
    discount = grant_discount(
        seeded_session,
        ana,
        shipped_policy(),
        agent_id=7,
        percent=25,
        months=12,
        reason="long-standing customer, competitor offer",
        now=NOW,
        conversation_id="conv-desk",
    )
    assert (discount.percent, discount.monthly_amount_cents, discount.months) == (25, 998, 12)
    assert (discount.start_date, discount.end_date) == (date(2026, 12, 1), date(2027, 11, 30))
    assert discount.granted_by == "agent:7"
    offer = seeded_session.get(Offer, discount.offer_id)
    assert offer is not None
    assert (offer.status, offer.trigger, offer.actor, offer.tier) == (
        "accepted",
        "agent_grant",
        "agent:7",
        "agent",
    )
    audit = seeded_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "discount.granted")
    ).one()
    assert (audit.actor, audit.account_id, audit.details["percent"]) == ("agent:7", ana.id, 25)
    assert account_history(seeded_session, ana, AS_OF).discounts_12m == 1


def test_beyond_the_agent_tier_nothing_is_written(seeded_session: Session) -> None:
    ana = account(seeded_session, "100001")
    before = seeded_session.scalar(select(func.count()).select_from(AccountDiscount))
    with pytest.raises(BeyondAuthority, match="beyond the agent tier"):
        grant_discount(
            seeded_session,
            ana,
            shipped_policy(),
            agent_id=7,
            percent=40,
            months=6,
            reason="too generous",
            now=NOW,
        )
    assert seeded_session.scalar(select(func.count()).select_from(AccountDiscount)) == before
    supervisor = grant_discount(
        seeded_session,
        ana,
        shipped_policy(),
        agent_id="sup1",
        percent=40,
        months=6,
        reason="supervisor approved",
        now=NOW,
        tier=Tier.SUPERVISOR,
    )
    assert supervisor.granted_by == "agent:sup1"
    with pytest.raises(ValueError, match="the bot makes offers"):
        grant_discount(
            seeded_session,
            ana,
            shipped_policy(),
            agent_id=7,
            percent=5,
            months=1,
            reason="x",
            now=NOW,
            tier=Tier.BOT,
        )


@given(
    tier=st.sampled_from([Tier.AGENT, Tier.SUPERVISOR]),
    percent=st.integers(1, 100),
    monthly=st.integers(0, 10_000),
    months=st.integers(1, 60),
)
def test_a_grant_never_exceeds_the_tier_that_makes_it(
    tier: Tier, percent: int, monthly: int, months: int
) -> None:
    limits = shipped_policy().limits(tier)
    try:
        check_authority(shipped_policy(), tier, percent, monthly, months)
    except BeyondAuthority:
        assert not limits.allows(percent, monthly, months)
    else:
        assert percent <= limits.max_percent
        assert monthly <= limits.max_monthly_amount
        assert months <= limits.max_months
