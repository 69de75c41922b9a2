"""Opening tickets: the account only from a live verified session, slots allow-listed, one open
ticket per conversation; callbacks and withdrawal (services on the seeded database)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.commerce.models import Offer
from bot.commerce.types import OfferStatus, Trigger
from bot.core.errors import AlreadyClaimed, InvalidRequest, TicketClosed
from bot.desk import handling, tickets
from bot.desk.models import HandoffTicket, TicketMessage
from bot.desk.types import TicketStatus
from bot.desk.views import queue_view
from bot.review import service as review
from bot.safety.masking import CARD_MASK
from bot.safety.models import AuditEntry
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig

pytestmark = pytest.mark.usefixtures("fresh_demo_agents")


def test_a_verified_conversation_brings_its_account(
    seeded_session: Session, config: DeskConfig
) -> None:
    ana = helpers.verify(seeded_session, "conv-ana", "100001", NOW)
    opened = tickets.open_ticket(seeded_session, helpers.handoff("conv-ana"), NOW, config)
    assert opened.created
    ticket = opened.ticket
    assert (ticket.account_id, ticket.verified) == (ana.id, True)
    assert ticket.churn_risk == Decimal("0.20")
    (summary,) = queue_view(seeded_session, NOW, config).tickets
    assert (summary.customer_name, summary.account_number) == ("Ana Novak", "100001")
    audit = seeded_session.scalars(select(AuditEntry).where(AuditEntry.action == "ticket.opened"))
    entry = audit.one()
    assert (entry.actor, entry.account_id, entry.conversation_id) == ("bot", ana.id, "conv-ana")


@pytest.mark.parametrize("case", ["other conversation", "revoked", "expired", "none"])
def test_no_live_verification_no_account(
    seeded_session: Session, config: DeskConfig, case: str
) -> None:
    if case == "other conversation":
        helpers.verify(seeded_session, "someone-else", "100001", NOW)
    elif case == "revoked":
        helpers.verify(seeded_session, "conv-x", "100001", NOW, revoked=True)
    elif case == "expired":
        helpers.verify(seeded_session, "conv-x", "100001", NOW, expires_in=timedelta(0))
    ticket = tickets.open_ticket(seeded_session, helpers.handoff("conv-x"), NOW, config).ticket
    assert (ticket.account_id, ticket.verified, ticket.churn_risk) == (None, False, None)
    (summary,) = queue_view(seeded_session, NOW, config).tickets
    assert (summary.customer_name, summary.account_number) == (None, None)


def test_findings_only_of_the_verified_account(seeded_session: Session, config: DeskConfig) -> None:
    marko = helpers.account(seeded_session, "100002")
    finding_id = review.run_review(seeded_session, marko, NOW, limit_cents=3000).findings[0].id
    body = helpers.handoff("conv-m", reason="beyond_authority", finding_id=finding_id)
    unverified = tickets.open_ticket(seeded_session, body, NOW, config).ticket
    assert unverified.finding_id is None  # a caller cannot point the desk at any account
    tickets.withdraw(seeded_session, unverified.id, NOW)
    helpers.verify(seeded_session, "conv-a", "100001", NOW)  # Ana: the finding is Marko's
    other = tickets.open_ticket(
        seeded_session, helpers.handoff("conv-a", finding_id=finding_id), NOW, config
    )
    assert other.ticket.finding_id is None
    helpers.verify(seeded_session, "conv-m", "100002", NOW)
    own = tickets.open_ticket(seeded_session, body, NOW, config).ticket
    assert own.finding_id == finding_id
    assert own.priority == 2  # beyond_authority


def test_slots_are_allow_listed(seeded_session: Session, config: DeskConfig) -> None:
    slots = {
        "pending_operation": "credit|17|",
        "stepped_up": True,
        "handoff_ticket": 3.0,
        "invoice_number": "INV-100001-202611 card 4111111111111111",
        "account_number": "100001",
        "verified_account_number": "100001",
        "customer_first_name": "Ana",
        "identity_check": "1985-03-14",
        "date_of_birth": "1985-03-14",
        "step_up_code": "123456",
        "step_up_channel": "abc",
        "pending_operation_extra": "x",
        "month": {"nested": "dropped"},
    }
    ticket = tickets.open_ticket(seeded_session, helpers.handoff(slots=slots), NOW, config).ticket
    assert ticket.slots == {
        "pending_operation": "credit|17|",
        "stepped_up": True,
        "handoff_ticket": 3.0,
        "invoice_number": f"INV-100001-202611 card {CARD_MASK}",
    }


def test_transcript_and_summary_are_masked(seeded_session: Session, config: DeskConfig) -> None:
    body = helpers.handoff(
        summary="Gave card 4111 1111 1111 1111",
        transcript=[
            {
                "sender": "customer",
                "text": "pay with 4111-1111-1111-1111",
                "at": "2026-11-15T09:58:00Z",
            },
            {
                "sender": "bot",
                "text": "I can't take card numbers here.",
                "at": "2026-11-15T09:58:01Z",
            },
            {"sender": "customer", "text": "   "},
        ],
    )
    ticket = tickets.open_ticket(seeded_session, body, NOW, config).ticket
    assert ticket.summary == f"Gave card {CARD_MASK}"
    rows = seeded_session.scalars(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id).order_by(TicketMessage.at)
    ).all()
    assert [(m.sender, m.text) for m in rows] == [
        ("customer", f"pay with {CARD_MASK}"),
        ("bot", "I can't take card numbers here."),
    ]


def test_a_high_churn_risk_raises_the_priority(seeded_session: Session, config: DeskConfig) -> None:
    eva = helpers.verify(seeded_session, "conv-eva", "100003", NOW)
    seeded_session.add(  # a price complaint: Eva's churn risk goes from 0.40 to 0.50
        Offer(
            account_id=eva.id,
            conversation_id="earlier",
            trigger=Trigger.PRICE_COMPLAINT,
            status=OfferStatus.NOT_ELIGIBLE,
            reason="complained about the price",
            actor="bot",
            churn_risk=Decimal("0.40"),
            period="2026-11",
            created_at=NOW - timedelta(days=3),
        )
    )
    seeded_session.commit()
    ticket = tickets.open_ticket(seeded_session, helpers.handoff("conv-eva"), NOW, config).ticket
    assert (ticket.churn_risk, ticket.priority) == (Decimal("0.50"), 2)


def test_one_open_ticket_per_conversation(seeded_session: Session, config: DeskConfig) -> None:
    first = tickets.open_ticket(seeded_session, helpers.handoff(), NOW, config)
    again = tickets.open_ticket(
        seeded_session, helpers.handoff(reason="upset_customer"), NOW, config
    )
    assert (again.created, again.ticket.id) == (False, first.ticket.id)
    assert again.ticket.reason == "customer_request"
    seeded_session.add(  # the database refuses a second open ticket whatever the code does
        HandoffTicket(
            conversation_id="conv-1",
            open_conversation_id="conv-1",
            channel="rest",
            verified=False,
            reason="customer_request",
            priority=1,
            summary="",
            intents=[],
            slots={},
            status=TicketStatus.QUEUED,
            created_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        seeded_session.commit()
    seeded_session.rollback()


def test_what_the_customer_is_told_at_opening_is_kept(
    seeded_session: Session, config: DeskConfig
) -> None:
    helpers.agent(seeded_session, NOW)
    helpers.ticket(seeded_session, NOW - timedelta(minutes=6))  # two ahead
    helpers.ticket(seeded_session, NOW - timedelta(minutes=5))
    ticket = tickets.open_ticket(seeded_session, helpers.handoff(), NOW, config).ticket
    status = tickets.ticket_status(seeded_session, ticket, NOW, config)
    # The free agent takes the first; the third waits for her twice: (3 - 1) x 300 s / 1.
    assert (status.position, status.estimated_wait_seconds) == (3, 600)
    assert status.callback_offered is True  # 600 s is above DESK_CALLBACK_ABOVE_SECONDS (300)
    assert ticket.estimated_wait_seconds == 600
    assert (ticket.last_update_position, ticket.last_update_wait) == (3, 600)


def test_callback_outside_opening_hours(seeded_session: Session) -> None:
    from bot.desk.config import DeskConfig
    from bot.desk.hours import parse_opening_hours

    office = DeskConfig(opening_hours=parse_opening_hours("Mon-Fri 08:00-18:00"))
    helpers.agent(seeded_session, NOW)  # on duty, but it is Sunday
    ticket = tickets.open_ticket(seeded_session, helpers.handoff(), NOW, office).ticket
    status = tickets.ticket_status(seeded_session, ticket, NOW, office)
    assert (status.open_now, status.callback_offered) == (False, True)
    assert [w.label for w in status.callback_windows] == [
        "Tomorrow 08:00-10:00",
        "Tomorrow 10:00-12:00",
        "Tomorrow 12:00-14:00",
    ]


def test_a_window_offered_at_opening_can_be_chosen_later(
    seeded_session: Session, config: DeskConfig
) -> None:
    ticket = tickets.open_ticket(seeded_session, helpers.handoff(), NOW, config).ticket
    offered = tickets.ticket_status(seeded_session, ticket, NOW, config).callback_windows
    later = NOW + timedelta(minutes=50)
    chosen = tickets.choose_callback(seeded_session, ticket.id, offered[1].start, later, config)
    assert (chosen.status, chosen.callback_start) == (TicketStatus.CALLBACK, offered[1].start)
    with pytest.raises(InvalidRequest):  # it has begun by then
        tickets.choose_callback(
            seeded_session, ticket.id, offered[0].start, later + timedelta(hours=1), config
        )


def test_a_claimed_ticket_cannot_be_withdrawn_or_moved(
    seeded_session: Session, config: DeskConfig
) -> None:
    ticket = tickets.open_ticket(seeded_session, helpers.handoff(), NOW, config).ticket
    start = tickets.ticket_status(seeded_session, ticket, NOW, config).callback_windows[0].start
    handling.claim(seeded_session, ticket.id, helpers.agent(seeded_session, NOW), NOW)
    with pytest.raises(AlreadyClaimed):
        tickets.withdraw(seeded_session, ticket.id, NOW)
    with pytest.raises(AlreadyClaimed):
        tickets.choose_callback(seeded_session, ticket.id, start, NOW, config)


def test_a_finished_ticket_is_closed_to_changes(
    seeded_session: Session, config: DeskConfig
) -> None:
    ticket = tickets.open_ticket(seeded_session, helpers.handoff(), NOW, config).ticket
    start = tickets.ticket_status(seeded_session, ticket, NOW, config).callback_windows[0].start
    handling.mark_abandoned(seeded_session, NOW + timedelta(minutes=31), config)
    with pytest.raises(TicketClosed):
        tickets.withdraw(seeded_session, ticket.id, NOW)
    with pytest.raises(TicketClosed):
        tickets.choose_callback(seeded_session, ticket.id, start, NOW, config)
