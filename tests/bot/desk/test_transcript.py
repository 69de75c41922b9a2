"""Conversation events from Rasa's event broker: stored once, none lost, in order, masked; agent
replies and their echoes; transcript lines from the action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from bot.core.errors import NotYourTicket
from bot.desk import handling, tickets
from bot.desk.schemas import ConversationEvent
from bot.desk.transcript import add_agent_message, record_conversation_events, ticket_messages
from bot.desk.types import AgentRole
from bot.safety.masking import CARD_MASK
from bot.seed.runner import wipe
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.desk.config import DeskConfig

BASE = NOW.timestamp()


def event(text: str, seconds: float, kind: str = "user", conversation: str = "conv-1") -> Any:
    return ConversationEvent.model_validate(
        {"sender_id": conversation, "event": kind, "text": text, "timestamp": BASE + seconds}
    )


def transcript(session: Session, ticket_id: int) -> list[tuple[str, str]]:
    return [(m.sender, m.text) for m in ticket_messages(session, ticket_id)]


def test_the_same_batch_twice_is_stored_once(session: Session, config: DeskConfig) -> None:
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    batch = [event("hello?", 1), event("Someone will be with you shortly.", 2, "bot")]
    assert len(record_conversation_events(session, batch)) == 2
    assert record_conversation_events(session, batch) == []
    assert transcript(session, ticket.id) == [
        ("customer", "hello?"),
        ("bot", "Someone will be with you shortly."),
    ]


def test_out_of_order_batches_read_in_order(session: Session, config: DeskConfig) -> None:
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    late = record_conversation_events(session, [event("third", 3), event("fourth", 4)])
    early = record_conversation_events(session, [event("second", 2), event("first", 1)])
    assert [m.text for m in early] == ["first", "second"]
    assert [m.at for m in late] == [NOW + timedelta(seconds=3), NOW + timedelta(seconds=4)]
    assert [text for _, text in transcript(session, ticket.id)] == [
        "first",
        "second",
        "third",
        "fourth",
    ]


def test_only_messages_of_open_tickets(session: Session, config: DeskConfig) -> None:
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    stored = record_conversation_events(
        session,
        [
            event("not handed over", 1, conversation="conv-2"),
            event("", 2),
            ConversationEvent.model_validate(
                {
                    "sender_id": "conv-1",
                    "event": "action",
                    "name": "action_listen",
                    "timestamp": BASE + 3,
                }
            ),
            ConversationEvent.model_validate(
                {"sender_id": "conv-1", "event": "bot", "timestamp": BASE + 4}
            ),
            event("card 4111 1111 1111 1111", 5),
        ],
    )
    assert [(m.ticket_id, m.text) for m in stored] == [(ticket.id, f"card {CARD_MASK}")]
    tickets.withdraw(session, ticket.id, NOW)
    assert record_conversation_events(session, [event("after", 6)]) == []


def test_the_transcript_line_of_the_handoff_turn_is_not_repeated(
    session: Session, config: DeskConfig
) -> None:
    """The broker may post the customer's 'a person please' after the ticket exists; the
    action's transcript already has it."""
    body = helpers.handoff(
        transcript=[{"sender": "customer", "text": "a person please", "at": "2026-11-15T09:59:59Z"}]
    )
    ticket = tickets.open_ticket(session, body, NOW, config).ticket
    stored = record_conversation_events(
        session, [event("a person please", -1), event("a person please", 30)]
    )
    assert [m.at for m in stored] == [NOW + timedelta(seconds=30)]  # said again later: kept
    assert transcript(session, ticket.id) == [("customer", "a person please")] * 2


def test_an_agent_reply_echoed_by_rasa_is_not_a_bot_message(
    session: Session, config: DeskConfig
) -> None:
    maria = helpers.agent(session, NOW, name="Maria Novak")
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    handling.claim(session, ticket.id, maria, NOW)
    reply = add_agent_message(session, ticket.id, maria, "Hello, I can see the bill.", NOW)
    echo = event("Maria (billing team): Hello, I can see the bill.", 1, "bot")
    assert record_conversation_events(session, [echo]) == []
    assert reply.event_timestamp == BASE + 1
    assert record_conversation_events(session, [echo]) == []  # and again: still once
    assert transcript(session, ticket.id) == [
        ("system", "Maria Novak took the conversation."),
        ("agent", "Hello, I can see the bill."),
    ]
    assert [m.agent.display_name for m in ticket_messages(session, ticket.id) if m.agent] == [
        "Maria Novak"
    ]


def test_who_may_reply(session: Session, config: DeskConfig) -> None:
    maria = helpers.agent(session, NOW)
    tomaz = helpers.agent(session, NOW)
    sara = helpers.agent(session, NOW, role=AgentRole.SUPERVISOR)
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    with pytest.raises(NotYourTicket, match="claim"):
        add_agent_message(session, ticket.id, maria, "hi", NOW)
    handling.claim(session, ticket.id, maria, NOW)
    with pytest.raises(NotYourTicket, match="another agent"):
        add_agent_message(session, ticket.id, tomaz, "hi", NOW)
    message = add_agent_message(session, ticket.id, sara, "card 4111111111111111", NOW)
    assert (message.sender, message.text, message.agent_id) == (
        "agent",
        f"card {CARD_MASK}",
        sara.id,
    )


texts = st.lists(
    st.text(alphabet="abcxyz ", min_size=1, max_size=8).filter(str.strip), min_size=1, max_size=8
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=texts, data=st.data())
def test_none_lost_whatever_the_batches(
    empty_engine: Engine, config: DeskConfig, texts: list[str], data: st.DataObject
) -> None:
    """Any batching, repetition and order of the events stores each exactly once, in order."""
    with empty_engine.begin() as connection:
        wipe(connection)
    events = [
        event(text, index + 1, "user" if index % 2 == 0 else "bot")
        for index, text in enumerate(texts)
    ]
    posts = data.draw(
        st.lists(st.lists(st.sampled_from(events), min_size=1, max_size=6), min_size=1, max_size=5)
    )
    missing = [e for e in events if not any(e in post for post in posts)]
    with Session(empty_engine, expire_on_commit=False) as session:
        ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
        for post in [*posts, missing]:
            record_conversation_events(session, post)
        stored = ticket_messages(session, ticket.id)
    expected = [
        ("customer" if e.event == "user" else "bot", (e.text or "").strip()) for e in events
    ]
    assert [(m.sender, m.text) for m in stored] == expected
    assert [m.at for m in stored] == [datetime.fromtimestamp(e.timestamp, UTC) for e in events]
