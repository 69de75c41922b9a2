"""The queue updater's ticks against the seeded database and a real local fake Rasa."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.desk.config import DeskConfig
from bot.desk.events import DeskEvents
from bot.desk.models import HandoffTicket
from bot.desk.queue_updater import QueueUpdater, TickResult
from bot.desk.rasa_client import RasaClient
from bot.desk.types import TicketStatus
from tests.bot.desk import helpers as desk_helpers
from tests.bot.desk_web.fake_rasa import RASA_TOKEN

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock
    from tests.bot.desk_web.fake_rasa import FakeRasa


def tick(engine: Engine, fake: FakeRasa, clock: FakeClock) -> TickResult:
    async def run() -> TickResult:
        rasa = RasaClient(fake.url, RASA_TOKEN, timeout_seconds=2)
        updater = QueueUpdater(
            session_factory=sessionmaker(bind=engine, expire_on_commit=False),
            rasa=rasa,
            events=DeskEvents(),
            config=DeskConfig(),
            clock=clock,
        )
        try:
            return await updater.tick()
        finally:
            await rasa.aclose()

    return asyncio.run(run())


def test_waiting_customers_hear_their_new_place_once(
    seeded_db: Engine, fake_rasa: FakeRasa, clock: FakeClock
) -> None:
    with Session(seeded_db) as session:
        desk_helpers.agent(session, clock())  # on duty: estimates exist
        first = desk_helpers.ticket(session, clock() - timedelta(minutes=3), conversation_id="q-1")
        first_id = first.id
        desk_helpers.ticket(session, clock() - timedelta(minutes=2), conversation_id="q-2")

    assert tick(seeded_db, fake_rasa, clock).told == 2
    assert fake_rasa.bot_texts("q-1")[0].startswith("You're next in the queue")
    assert fake_rasa.bot_texts("q-2")[0].startswith("You're now number 2 in the queue")
    assert tick(seeded_db, fake_rasa, clock).told == 0  # nothing changed

    with Session(seeded_db) as session:
        ticket = session.get_one(HandoffTicket, first_id)
        ticket.status, ticket.open_conversation_id = TicketStatus.WITHDRAWN, None
        session.commit()
    assert tick(seeded_db, fake_rasa, clock).told == 1
    assert fake_rasa.bot_texts("q-2")[-1].startswith("You're next in the queue")


def test_with_rasa_down_nobody_is_marked_told_and_the_next_tick_tries_again(
    seeded_db: Engine, fake_rasa: FakeRasa, clock: FakeClock
) -> None:
    with Session(seeded_db) as session:
        desk_helpers.ticket(session, clock() - timedelta(minutes=1), conversation_id="q-3")
    fake_rasa.down = True

    assert tick(seeded_db, fake_rasa, clock).told == 0

    fake_rasa.down = False
    assert tick(seeded_db, fake_rasa, clock).told == 1
    assert fake_rasa.bot_texts("q-3") == ["You're next in the queue."]  # nobody on duty


def test_tickets_nobody_claimed_are_abandoned_and_the_bot_resumes(
    seeded_db: Engine, fake_rasa: FakeRasa, clock: FakeClock
) -> None:
    with Session(seeded_db) as session:
        old = desk_helpers.ticket(session, clock() - timedelta(minutes=31), conversation_id="q-4")
        old_id = old.id

    result = tick(seeded_db, fake_rasa, clock)

    assert result.abandoned == 1
    assert fake_rasa.kinds("q-4") == ["resume", "action"]
    with Session(seeded_db) as session:
        assert session.get_one(HandoffTicket, old_id).status is TicketStatus.ABANDONED
