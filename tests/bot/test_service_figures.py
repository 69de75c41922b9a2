"""Service figures on built histories with answers worked out by hand (bot.service.figures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.models import Account
from bot.core.language import Language
from bot.desk.types import HandoffReason, TicketStatus
from bot.service.figures import service_figures
from bot.service.models import ConversationEnding, SurveyAnswer
from tests.bot.desk.helpers import ticket

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Far from the seeded history, so only the rows built here fall in the period.
DAY1 = datetime(2030, 3, 14, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
START, END = DAY1, DAY1 + timedelta(days=2)


def ending(
    session: Session,
    conversation: str,
    account: int | None,
    topic: str,
    start: datetime,
    minutes: float,
) -> None:
    session.add(
        ConversationEnding(
            conversation_id=conversation,
            channel="socketio",
            language=Language.EN,
            topic=topic,
            account_id=account,
            started_at=start,
            ended_at=start + timedelta(minutes=minutes),
        )
    )
    session.commit()


def answer(session: Session, rating: int, at: datetime) -> None:
    session.add(
        SurveyAnswer(
            conversation_id="x", channel="rest", language=Language.SL, rating=rating, answered_at=at
        )
    )
    session.commit()


def build_history(session: Session) -> None:
    a, b = session.scalars(select(Account.id).order_by(Account.id).limit(2)).all()
    # E1: account a asks its balance, and comes back about it the next day (E2): a repeat.
    ending(session, "e1", a, "ask_balance", DAY1 + timedelta(hours=9), 5)
    ending(session, "e2", a, "ask_balance", DAY2 + timedelta(hours=8), 2)
    # E2's own repeat would be 7 days and 1 minute after it ended: too late to count.
    ending(session, "e5", a, "ask_balance", DAY2 + timedelta(days=7, hours=8, minutes=3), 1)
    # E3: unverified, handed to a person during the session (upset), then closed by the bot.
    ending(session, "e3", None, "explain_bill", DAY1 + timedelta(hours=10), 10)
    ticket(
        session,
        DAY1 + timedelta(hours=10, minutes=3),
        status=TicketStatus.RESOLVED,
        reason=HandoffReason.UPSET_CUSTOMER,
        conversation_id="e3",
        resolved_at=DAY1 + timedelta(hours=10, minutes=8),
    )
    # T2: a ticket without an ending, resolved by a person after 30 minutes.
    t2 = ticket(
        session,
        DAY2 + timedelta(hours=7),
        status=TicketStatus.RESOLVED,
        reason=HandoffReason.REPEATED_FALLBACK,
        conversation_id="t2",
        resolved_at=DAY2 + timedelta(hours=7, minutes=30),
    )
    t2.account_id, t2.verified = b, True
    t2.intents = ["greet", "pay_bill", "talk_to_human"]
    session.commit()
    # T3: nobody took it; the customer left.
    ticket(session, DAY2 + timedelta(hours=9), status=TicketStatus.ABANDONED, conversation_id="t3")
    # Before the period: neither a contact nor an answer of it.
    ending(session, "e0", b, "explain_bill", DAY1 - timedelta(hours=1), 3)
    answer(session, 1, DAY1 - timedelta(minutes=1))
    for rating, at in (
        (5, DAY1 + timedelta(hours=9, minutes=6)),
        (4, DAY2),
        (2, DAY2 + timedelta(hours=3)),
    ):
        answer(session, rating, at)


def test_figures_match_the_hand_worked_answers(seeded_session: Session) -> None:
    build_history(seeded_session)

    figures = service_figures(seeded_session, START, END)

    assert figures["contacts"] == 5  # e1, e2, e3 (with its ticket), t2, t3
    assert figures["verified_contacts"] == 3  # e1, e2, t2
    assert figures["containment_rate"] == 0.2  # e2 only
    assert figures["first_contact_resolution_rate"] == 0.6  # e2, e3, t2
    assert figures["handoff_rate"] == 0.6
    assert figures["handoffs_by_reason"] == [
        {"reason": "customer_request", "count": 1, "rate": 0.2},
        {"reason": "repeated_fallback", "count": 1, "rate": 0.2},
        {"reason": "upset_customer", "count": 1, "rate": 0.2},
    ]
    # Resolved after 300, 120, 600 and 1800 s: median 450, 90th percentile 600 + 0.7 * 1200.
    assert figures["time_to_resolution_seconds"] == {"resolved": 4, "median": 450.0, "p90": 1440.0}
    assert figures["satisfaction"] == {
        "answers": 3,
        "mean": 3.67,
        "csat_rate": 0.6667,
        "counts": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert figures["daily"] == [
        {
            "date": "2030-03-14",
            "contacts": 2,
            "containment_rate": 0.0,
            "first_contact_resolution_rate": 0.5,
            "handoff_rate": 0.5,
            "satisfaction_mean": 5.0,
            "survey_answers": 1,
        },
        {
            "date": "2030-03-15",
            "contacts": 3,
            "containment_rate": 0.3333,
            "first_contact_resolution_rate": 0.6667,
            "handoff_rate": 0.6667,
            "satisfaction_mean": 3.0,
            "survey_answers": 2,
        },
    ]


def test_an_empty_period_has_no_rates(seeded_session: Session) -> None:
    figures = service_figures(seeded_session, START, END)
    assert figures["contacts"] == 0
    assert figures["containment_rate"] is None
    assert figures["satisfaction"]["mean"] is None  # type: ignore[index]
    assert len(figures["daily"]) == 2  # type: ignore[arg-type]
