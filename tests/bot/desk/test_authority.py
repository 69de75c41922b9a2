"""What an agent may grant at the desk: credits within the role's limit, discounts within the
tier; refusals; audit. Marko (100002) has one finding: the roaming pack charged twice, 12.18."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.api.errors import status_and_code
from bot.billing.models import Adjustment
from bot.commerce.models import AccountDiscount
from bot.core.errors import (
    AlreadyCredited,
    AuthorityUsedUp,
    BeyondAgentAuthority,
    CreditExceedsInvoice,
    FindingClosed,
    InvalidRequest,
    NotFound,
    NotVerified,
    NotYourTicket,
)
from bot.desk import authority, handling, tickets
from bot.desk.models import Agent
from bot.desk.schemas import CreditIn, DiscountIn
from bot.desk.types import AgentRole
from bot.review import service as review
from bot.review.models import Finding
from bot.review.types import FindingStatus
from bot.safety.models import AuditEntry
from bot.tables import metadata
from tests.bot.commerce.factories import shipped_policy
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.desk.config import DeskConfig
    from bot.desk.models import HandoffTicket

pytestmark = pytest.mark.usefixtures("fresh_demo_agents")
FINDING_CENTS = 1218
INVOICE_CENTS = 4865  # INV-100002-202611, the finding's invoice


def claimed_ticket(
    session: Session,
    config: DeskConfig,
    role: AgentRole = AgentRole.AGENT,
    *,
    verified: bool = True,
) -> tuple[HandoffTicket, Agent, int]:
    """Marko's conversation (verified or not) handed over and claimed; with his finding's id."""
    marko = helpers.account(session, "100002")
    finding_id = review.run_review(session, marko, NOW, limit_cents=3000).findings[0].id
    if verified:
        helpers.verify(session, "conv-marko", "100002", NOW)
    ticket = tickets.open_ticket(session, helpers.handoff("conv-marko"), NOW, config).ticket
    agent = helpers.agent(session, NOW, role=role)
    handling.claim(session, ticket.id, agent, NOW)
    return ticket, agent, finding_id


def test_an_agent_credits_a_finding(seeded_session: Session, config: DeskConfig) -> None:
    ticket, agent, finding_id = claimed_ticket(seeded_session, config)
    granted = authority.grant_credit_as_agent(
        seeded_session, ticket.id, agent, CreditIn(finding_id=finding_id), config, NOW
    )
    assert (granted.amount, granted.finding_id, granted.invoice_number) == (
        "12.18",
        finding_id,
        "INV-100002-202611",
    )
    finding = seeded_session.get(Finding, finding_id)
    assert finding is not None
    assert (finding.status, finding.adjustment_id) == (
        FindingStatus.CREDITED,
        granted.adjustment_id,
    )
    entry = seeded_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "finding.credited")
    ).one()
    assert (entry.actor, entry.conversation_id) == (f"agent:{agent.id}", "conv-marko")
    assert entry.details["amount_cents"] == FINDING_CENTS
    with pytest.raises(AlreadyCredited):
        authority.grant_credit_as_agent(
            seeded_session, ticket.id, agent, CreditIn(finding_id=finding_id), config, NOW
        )


def test_an_escalated_finding_is_for_a_person(seeded_session: Session, config: DeskConfig) -> None:
    ticket, agent, finding_id = claimed_ticket(seeded_session, config)
    finding = seeded_session.get(Finding, finding_id)
    assert finding is not None
    finding.status = FindingStatus.ESCALATED
    seeded_session.commit()
    body = CreditIn(finding_id=finding_id)
    granted = authority.grant_credit_as_agent(seeded_session, ticket.id, agent, body, config, NOW)
    assert granted.amount == "12.18"


def test_a_dismissed_finding_is_not_credited(seeded_session: Session, config: DeskConfig) -> None:
    ticket, agent, finding_id = claimed_ticket(seeded_session, config)
    finding = seeded_session.get(Finding, finding_id)
    assert finding is not None
    finding.status = FindingStatus.DISMISSED
    seeded_session.commit()
    with pytest.raises(FindingClosed):
        authority.grant_credit_as_agent(
            seeded_session, ticket.id, agent, CreditIn(finding_id=finding_id), config, NOW
        )


def test_above_the_agents_limit_a_supervisor_may(
    seeded_session: Session, config: DeskConfig
) -> None:
    small = replace(config, agent_credit_limit_cents=FINDING_CENTS - 1)
    ticket, agent, finding_id = claimed_ticket(seeded_session, small)
    body = CreditIn(finding_id=finding_id)
    with pytest.raises(BeyondAgentAuthority, match=r"above your limit of 12\.17 EUR"):
        authority.grant_credit_as_agent(seeded_session, ticket.id, agent, body, small, NOW)
    assert status_and_code(BeyondAgentAuthority("x")) == (403, "beyond_authority")
    sara = helpers.agent(seeded_session, NOW, role=AgentRole.SUPERVISOR)
    granted = authority.grant_credit_as_agent(seeded_session, ticket.id, sara, body, small, NOW)
    assert granted.amount == "12.18"


def test_goodwill_on_an_invoice(seeded_session: Session, config: DeskConfig) -> None:
    ticket, agent, _ = claimed_ticket(seeded_session, config)
    body = CreditIn(amount="5.00", invoice_number="INV-100002-202611", reason="long wait")
    granted = authority.grant_credit_as_agent(seeded_session, ticket.id, agent, body, config, NOW)
    assert (granted.amount, granted.finding_id, granted.currency) == ("5.00", None, "EUR")
    credit = seeded_session.get(Adjustment, granted.adjustment_id)
    assert credit is not None
    assert (credit.amount_cents, credit.reason) == (500, "Goodwill on INV-100002-202611: long wait")
    entry = seeded_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "credit.granted")
    ).one()
    assert entry.actor == f"agent:{agent.id}"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"amount": "100.01", "invoice_number": "INV-100002-202611", "reason": "r"},
            BeyondAgentAuthority,
        ),
        (
            {"amount": "48.66", "invoice_number": "INV-100002-202611", "reason": "r"},
            CreditExceedsInvoice,
        ),
        ({"amount": "0.00", "invoice_number": "INV-100002-202611", "reason": "r"}, InvalidRequest),
        ({"amount": "5.00", "invoice_number": "INV-100002-202611", "reason": " "}, InvalidRequest),
        ({"amount": "5.00", "invoice_number": "INV-100001-202611", "reason": "r"}, NotFound),
        ({"amount": "5.00", "reason": "r"}, InvalidRequest),
        ({}, InvalidRequest),
        ({"finding_id": 999999}, NotFound),
    ],
)
def test_credit_refusals(
    seeded_session: Session, config: DeskConfig, body: dict[str, str], error: type[Exception]
) -> None:
    ticket, agent, finding_id = claimed_ticket(seeded_session, config)
    with pytest.raises(error):
        authority.grant_credit_as_agent(
            seeded_session, ticket.id, agent, CreditIn.model_validate(body), config, NOW
        )
    both = CreditIn(finding_id=finding_id, amount="1.00", invoice_number="INV-100002-202611")
    with pytest.raises(InvalidRequest):
        authority.grant_credit_as_agent(seeded_session, ticket.id, agent, both, config, NOW)
    assert (
        seeded_session.scalar(
            select(func.count()).select_from(Adjustment).where(Adjustment.created_at == NOW)
        )
        == 0
    )


def test_nothing_for_an_unverified_or_unclaimed_ticket(
    seeded_session: Session, config: DeskConfig
) -> None:
    ticket, agent, finding_id = claimed_ticket(seeded_session, config, verified=False)
    body = CreditIn(finding_id=finding_id)
    with pytest.raises(NotVerified):
        authority.grant_credit_as_agent(seeded_session, ticket.id, agent, body, config, NOW)
    with pytest.raises(NotVerified):
        authority.grant_discount_as_agent(
            seeded_session,
            ticket.id,
            agent,
            DiscountIn(percent=10, months=3, reason="r"),
            shipped_policy(),
            NOW,
        )
    other = helpers.agent(seeded_session, NOW)
    with pytest.raises(NotYourTicket):
        authority.grant_credit_as_agent(seeded_session, ticket.id, other, body, config, NOW)


def test_discounts_within_the_tier(seeded_session: Session, config: DeskConfig) -> None:
    policy = shipped_policy()  # agent: 30 %, 20.00 a month, 12 months; supervisor: 50 %, 40.00, 24
    ticket, agent, _ = claimed_ticket(seeded_session, config)
    beyond = DiscountIn(percent=40, months=6, reason="loyal customer")
    with pytest.raises(BeyondAgentAuthority, match="agent tier"):
        authority.grant_discount_as_agent(seeded_session, ticket.id, agent, beyond, policy, NOW)
    granted = authority.grant_discount_as_agent(
        seeded_session,
        ticket.id,
        agent,
        DiscountIn(percent=30, months=6, reason="loyal"),
        policy,
        NOW,
    )
    assert (granted.percent, granted.months, granted.tier) == (30, 6, "agent")
    sara = helpers.agent(seeded_session, NOW, role=AgentRole.SUPERVISOR)
    # 30 % already runs in those months: 40 % more would stack to 70 %, beyond even 50 %.
    with pytest.raises(AuthorityUsedUp, match=r"at most 20% \(.*\) remains") as refused:
        authority.grant_discount_as_agent(seeded_session, ticket.id, sara, beyond, policy, NOW)
    assert refused.value.remaining == "20%"
    top_up = DiscountIn(percent=20, months=6, reason="loyal customer")
    assert (
        authority.grant_discount_as_agent(seeded_session, ticket.id, sara, top_up, policy, NOW).tier
        == "supervisor"
    )
    discounts = seeded_session.scalars(
        select(AccountDiscount.granted_by).where(AccountDiscount.created_at == NOW)
    )
    assert sorted(discounts) == sorted([f"agent:{agent.id}", f"agent:{sara.id}"])
    limits = authority.authority_of(agent, config, policy)
    assert (limits.credit_limit_cents, limits.discount_limits.max_percent) == (10_000, 30)
    assert authority.authority_of(sara, config, policy).credit_limit_cents == 100_000


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    role=st.sampled_from(list(AgentRole)),
    limit=st.integers(min_value=0, max_value=3000),
    requests=st.lists(
        st.one_of(st.none(), st.integers(min_value=1, max_value=5000)), min_size=1, max_size=4
    ),
)
def test_a_grant_never_exceeds_the_limit_nor_the_finding(
    seeded_db: Engine,
    seeded_ids: dict[str, int],
    config: DeskConfig,
    role: AgentRole,
    limit: int,
    requests: list[int | None],
) -> None:
    """None: credit the finding; a number: that many cents of goodwill on the latest invoice."""
    with seeded_db.begin() as connection:  # a clean slate for every example
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete().where(table.c.id > seeded_ids[table.name]))
    limits = replace(config, agent_credit_limit_cents=limit, supervisor_credit_limit_cents=limit)
    with Session(seeded_db, expire_on_commit=False) as session:
        ticket, agent, finding_id = claimed_ticket(session, limits, role)
        for cents in requests:
            body = (
                CreditIn(finding_id=finding_id)
                if cents is None
                else CreditIn(
                    amount=f"{cents / 100:.2f}", invoice_number="INV-100002-202611", reason="r"
                )
            )
            with suppress(
                BeyondAgentAuthority, AlreadyCredited, InvalidRequest, CreditExceedsInvoice
            ):
                authority.grant_credit_as_agent(session, ticket.id, agent, body, limits, NOW)
        granted = session.scalars(
            select(Adjustment).where(
                Adjustment.account_id == ticket.account_id, Adjustment.created_at == NOW
            )
        ).all()
        finding = session.get(Finding, finding_id)
        assert finding is not None
    # Cumulative: the role's grants together stay within its limit, the invoice's within its
    # total (48.65), and a finding is credited for exactly its amount or not at all.
    assert sum(credit.amount_cents for credit in granted) <= min(limit, INVOICE_CENTS)
    for_finding = [c for c in granted if c.id == finding.adjustment_id]
    assert sum(c.amount_cents for c in for_finding) in (0, FINDING_CENTS)
    if None in requests and limit >= FINDING_CENTS and requests[0] is None:
        assert finding.status is FindingStatus.CREDITED  # asked first, nothing stood in its way
