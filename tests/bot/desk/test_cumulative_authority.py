"""Authority that holds cumulatively at the desk: repeated grants (new idempotency keys each
time) and concurrent ones never credit an invoice beyond what it charged, never let a role
credit an account beyond its limit within the window, and never stack discounts beyond the tier.
Marko (100002): INV-100002-202611 charged 48.65 and has one finding (12.18)."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.api.errors import status_and_code
from bot.billing.models import Adjustment, Invoice
from bot.commerce.models import AccountDiscount
from bot.core.errors import AuthorityUsedUp, CreditExceedsInvoice
from bot.desk import authority, handling, tickets
from bot.desk.models import Agent
from bot.desk.schemas import CreditIn, DiscountIn
from bot.desk.types import AgentRole
from bot.review import service as review
from bot.review.models import CreditGrant
from bot.safety.idempotency import IdempotentRequest
from tests.bot.commerce.factories import shipped_policy
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

    from bot.desk.config import DeskConfig
    from bot.desk.models import HandoffTicket

pytestmark = pytest.mark.usefixtures("fresh_demo_agents")
INVOICE = "INV-100002-202611"
INVOICE_CENTS = 4865
THREADS = 6


def claimed(
    session: Session,
    config: DeskConfig,
    conversation: str = "conv-marko",
    role: AgentRole = AgentRole.AGENT,
) -> tuple[HandoffTicket, Agent]:
    """Marko's verified conversation handed over and claimed by a new agent of `role`."""
    helpers.verify(session, conversation, "100002", NOW)
    ticket = tickets.open_ticket(session, helpers.handoff(conversation), NOW, config).ticket
    agent = helpers.agent(session, NOW, role=role)
    handling.claim(session, ticket.id, agent, NOW)
    return ticket, agent


def goodwill(amount: str, invoice: str = INVOICE) -> CreditIn:
    return CreditIn(amount=amount, invoice_number=invoice, reason="long wait")


def key(name: str) -> IdempotentRequest:
    return IdempotentRequest(name, "POST /desk/api/tickets/{ticket_id}/credits", name * 4)


def invoices_of(session: Session, number: str) -> list[Invoice]:
    account = helpers.account(session, number)
    return list(
        session.scalars(
            select(Invoice).where(Invoice.account_id == account.id).order_by(Invoice.id.desc())
        )
    )


def credited_on(session: Session, invoice_number: str) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Adjustment.amount_cents), 0))
            .join(Invoice, Invoice.id == Adjustment.invoice_id)
            .where(Invoice.number == invoice_number)
        )
        or 0
    )


def test_the_whole_invoice_credited_three_times_is_credited_once(
    seeded_session: Session, config: DeskConfig
) -> None:
    """The issue's reproduction: the invoice's full amount, three times, with new keys."""
    ticket, agent = claimed(seeded_session, config)
    amount = f"{INVOICE_CENTS / 100:.2f}"
    first = authority.grant_credit_as_agent(
        seeded_session, ticket.id, agent, goodwill(amount), config, NOW, key("k1")
    )
    assert first.amount == amount
    for name in ("k2", "k3"):
        with pytest.raises(CreditExceedsInvoice, match=r"at most 0\.00 EUR more") as refused:
            authority.grant_credit_as_agent(
                seeded_session, ticket.id, agent, goodwill(amount), config, NOW, key(name)
            )
        assert refused.value.remaining == "0.00"
    assert credited_on(seeded_session, INVOICE) == INVOICE_CENTS
    assert status_and_code(refused.value) == (409, "credit_exceeds_invoice")


def test_the_invoice_counts_the_bots_credits_and_the_findings(
    seeded_session: Session, config: DeskConfig
) -> None:
    marko = helpers.account(seeded_session, "100002")
    finding_id = review.run_review(seeded_session, marko, NOW, limit_cents=3000).findings[0].id
    ticket, agent = claimed(seeded_session, config)
    authority.grant_credit_as_agent(
        seeded_session, ticket.id, agent, CreditIn(finding_id=finding_id), config, NOW
    )
    rest = f"{(INVOICE_CENTS - 1218) / 100:.2f}"
    with pytest.raises(CreditExceedsInvoice, match=re.escape(f"at most {rest} EUR more")):
        authority.grant_credit_as_agent(
            seeded_session, ticket.id, agent, goodwill("48.65"), config, NOW
        )
    authority.grant_credit_as_agent(seeded_session, ticket.id, agent, goodwill(rest), config, NOW)
    assert credited_on(seeded_session, INVOICE) == INVOICE_CENTS


def test_a_roles_limit_holds_for_its_sum_per_account_and_window(
    seeded_session: Session, config: DeskConfig
) -> None:
    small = replace(config, agent_credit_limit_cents=3000, supervisor_credit_limit_cents=4000)
    first, second = (inv.number for inv in invoices_of(seeded_session, "100002")[:2])
    ticket, maria = claimed(seeded_session, small, "conv-marko-1")
    authority.grant_credit_as_agent(
        seeded_session, ticket.id, maria, goodwill("20.00", first), small, NOW
    )
    with pytest.raises(AuthorityUsedUp, match=r"at most 10\.00 EUR remains; ask a supervisor"):
        authority.grant_credit_as_agent(
            seeded_session, ticket.id, maria, goodwill("20.00", second), small, NOW
        )
    # Another agent on another ticket of the same account shares the agents' limit ...
    other_ticket, tomaz = claimed(seeded_session, small, "conv-marko-2")
    with pytest.raises(AuthorityUsedUp) as refused:
        authority.grant_credit_as_agent(
            seeded_session, other_ticket.id, tomaz, goodwill("10.01", second), small, NOW
        )
    assert refused.value.remaining == "10.00"
    assert status_and_code(refused.value) == (403, "authority_used_up")
    authority.grant_credit_as_agent(
        seeded_session, other_ticket.id, tomaz, goodwill("10.00", second), small, NOW
    )
    # ... supervisors have their own, and the window moves on.
    sara = helpers.agent(seeded_session, NOW, role=AgentRole.SUPERVISOR)
    authority.grant_credit_as_agent(
        seeded_session, other_ticket.id, sara, goodwill("15.00", second), small, NOW
    )
    later = NOW + timedelta(days=small.credit_window_days, seconds=1)
    authority.grant_credit_as_agent(
        seeded_session, other_ticket.id, tomaz, goodwill("5.00", second), small, later
    )
    tiers = seeded_session.scalars(select(CreditGrant.tier).order_by(CreditGrant.id)).all()
    assert [str(t) for t in tiers] == ["agent", "agent", "supervisor", "agent"]


def test_two_discounts_for_the_same_months_never_pass_the_tier(
    seeded_session: Session, config: DeskConfig
) -> None:
    """The issue's reproduction: 30 % twice for the same 12 months (agent, then supervisor)."""
    policy = shipped_policy()  # agent 30 % / 20.00 a month; supervisor 50 % / 40.00
    ticket, maria = claimed(seeded_session, config)
    thirty = DiscountIn(percent=30, months=12, reason="loyal customer")
    authority.grant_discount_as_agent(seeded_session, ticket.id, maria, thirty, policy, NOW)
    with pytest.raises(AuthorityUsedUp, match=r"at most 0% .* remains") as refused:
        authority.grant_discount_as_agent(seeded_session, ticket.id, maria, thirty, policy, NOW)
    assert refused.value.remaining == "0%"
    sara = helpers.agent(seeded_session, NOW, role=AgentRole.SUPERVISOR)
    with pytest.raises(AuthorityUsedUp, match=r"at most 20% .* remains"):
        authority.grant_discount_as_agent(seeded_session, ticket.id, sara, thirty, policy, NOW)
    twenty = DiscountIn(percent=20, months=12, reason="loyal customer")
    authority.grant_discount_as_agent(seeded_session, ticket.id, sara, twenty, policy, NOW)
    account = helpers.account(seeded_session, "100002")
    running = seeded_session.scalars(
        select(AccountDiscount.percent).where(AccountDiscount.account_id == account.id)
    ).all()
    assert sum(running) == 50


def test_a_discount_that_ended_does_not_stack(seeded_session: Session, config: DeskConfig) -> None:
    policy = shipped_policy()
    ticket, maria = claimed(seeded_session, config)
    account = helpers.account(seeded_session, "100002")
    seeded_session.add(
        AccountDiscount(
            account_id=account.id,
            offer_id=None,
            percent=30,
            monthly_amount_cents=1000,
            months=1,
            start_date=NOW.date().replace(day=1),
            end_date=NOW.date().replace(day=30),  # ends before the 1st of next month
            granted_by="agent:0",
            reason="earlier",
            created_at=NOW - timedelta(days=20),
        )
    )
    seeded_session.commit()
    granted = authority.grant_discount_as_agent(
        seeded_session, ticket.id, maria, DiscountIn(percent=30, months=3, reason="r"), policy, NOW
    )
    assert granted.percent == 30


def hammer(attempts: list[Callable[[], object]]) -> tuple[int, list[Exception]]:
    """Run every attempt in its own thread, released together; successes and errors."""
    barrier = threading.Barrier(len(attempts))
    errors: list[Exception] = []
    done: list[object] = []

    def run(attempt: Callable[[], object]) -> None:
        barrier.wait()
        try:
            done.append(attempt())
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return len(done), errors


def in_own_session(
    engine: Engine, ticket_id: int, agent_id: int, grant: Callable[[Session, Agent], object]
) -> Callable[[], object]:
    def attempt() -> object:
        with Session(engine, expire_on_commit=False) as session:
            agent = session.get(Agent, agent_id)
            assert agent is not None
            return grant(session, agent)

    return attempt


def test_concurrent_whole_invoice_credits_credit_it_once(
    seeded_db: Engine, config: DeskConfig
) -> None:
    with Session(seeded_db, expire_on_commit=False) as session:
        ticket, agent = claimed(session, config)
    amount = f"{INVOICE_CENTS / 100:.2f}"

    def grant(number: int) -> Callable[[Session, Agent], object]:
        return lambda session, agent: authority.grant_credit_as_agent(
            session, ticket.id, agent, goodwill(amount), config, NOW, key(f"c{number}")
        )

    attempts = [in_own_session(seeded_db, ticket.id, agent.id, grant(n)) for n in range(THREADS)]
    succeeded, errors = hammer(attempts)
    assert succeeded == 1
    assert [type(e) for e in errors] == [CreditExceedsInvoice] * (THREADS - 1)
    with Session(seeded_db) as session:
        assert credited_on(session, INVOICE) == INVOICE_CENTS


def test_concurrent_credits_stop_at_the_roles_limit(seeded_db: Engine, config: DeskConfig) -> None:
    limited = replace(config, agent_credit_limit_cents=3000)
    with Session(seeded_db, expire_on_commit=False) as session:
        ticket, agent = claimed(session, limited)

    def grant(number: int) -> Callable[[Session, Agent], object]:
        return lambda session, agent: authority.grant_credit_as_agent(
            session, ticket.id, agent, goodwill("10.00"), limited, NOW, key(f"r{number}")
        )

    attempts = [in_own_session(seeded_db, ticket.id, agent.id, grant(n)) for n in range(THREADS)]
    succeeded, errors = hammer(attempts)
    assert succeeded == 3  # 3 x 10.00 = the 30.00 limit
    assert [type(e) for e in errors] == [AuthorityUsedUp] * (THREADS - 3)
    with Session(seeded_db) as session:
        assert credited_on(session, INVOICE) == 3000


def test_concurrent_discounts_never_stack_beyond_the_tier(
    seeded_db: Engine, config: DeskConfig
) -> None:
    policy = shipped_policy()
    with Session(seeded_db, expire_on_commit=False) as session:
        ticket, sara = claimed(session, config, role=AgentRole.SUPERVISOR)
        account_id = helpers.account(session, "100002").id
    thirty = DiscountIn(percent=30, months=12, reason="loyal customer")

    def grant(session: Session, agent: Agent) -> object:
        return authority.grant_discount_as_agent(session, ticket.id, agent, thirty, policy, NOW)

    attempts = [in_own_session(seeded_db, ticket.id, sara.id, grant) for _ in range(THREADS)]
    succeeded, errors = hammer(attempts)
    assert succeeded == 1  # 30 %; a second would make 60 % (the supervisor tier: 50 %)
    assert [type(e) for e in errors] == [AuthorityUsedUp] * (THREADS - 1)
    with Session(seeded_db) as session:
        percents = session.scalars(
            select(AccountDiscount.percent).where(AccountDiscount.account_id == account_id)
        ).all()
    assert sum(percents) == 30
