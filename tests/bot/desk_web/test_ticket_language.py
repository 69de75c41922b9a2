"""A ticket's language (issue 12): taken from the handoff, shown on the queue and the ticket, the
canned phrases in it, the desk's own lines to the customer in it, the agent's words as written."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session

from bot.core.language import Language
from bot.core.texts import Texts
from bot.desk.lines import queue_line
from bot.desk.phrases import PHRASE_KEYS
from bot.desk.updates import QueueUpdate
from tests.bot.api_helpers import expect_error
from tests.bot.desk import helpers as desk_helpers
from tests.bot.desk_web.helpers import SERVICE, log_in, open_ticket
from tests.bot.desk_web.test_queue_updater import tick

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock
    from tests.bot.desk_web.fake_rasa import FakeRasa


def test_a_slovenian_ticket_is_marked_and_offers_slovenian_phrases(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "lang-sl", verified=True, language="sl")
    log_in(desk_client, "maria")
    queue = desk_client.get("/desk/api/queue").json()["tickets"]
    assert [(t["id"], t["language"]) for t in queue] == [(ticket_id, "sl")]
    detail = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()
    assert detail["language"] == "sl"
    phrases = {p["key"]: p["text"] for p in detail["phrases"]}
    assert list(phrases) == list(PHRASE_KEYS)
    assert phrases["desk.phrase.greeting"] == (
        "Pozdravljeni, tukaj Maria Novak iz službe za obračun. Zdaj berem vaš pogovor."
    )
    assert phrases["desk.phrase.goodbye"] == "Hvala, ker ste se obrnili na nas. Lep dan vam želim!"


def test_without_a_language_the_ticket_is_english(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "lang-none", verified=False)
    log_in(desk_client, "maria")
    detail = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()
    assert detail["language"] == "en"
    assert detail["phrases"][0]["text"] == (
        "Hello, this is Maria Novak from the billing team. I'm reading your conversation now."
    )


@pytest.mark.parametrize("language", ["de", "SL", "", "slovenian", 1, None, "sl" * 200])
def test_an_unknown_language_is_refused_clearly(desk_client: TestClient, language: object) -> None:
    body = {"conversation_id": "lang-bad", "reason": "customer_request", "language": language}
    answer = desk_client.post("/api/v1/handoffs", json=body, headers=SERVICE)
    message = expect_error(answer, 422, "invalid_request")
    assert "language" in message


def test_the_agents_slovenian_reply_reaches_the_customer_as_written(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock, fake_rasa: FakeRasa
) -> None:
    ticket_id = open_ticket(
        desk_client, seeded_db, clock, "lang-reply", verified=True, language="sl"
    )
    log_in(desk_client, "maria")
    assert desk_client.post(f"/desk/api/tickets/{ticket_id}/claim").status_code == 200
    written = "Dober dan! Račun {number} sem preveril: 4,50 € je strošek zamude. <b>Žal</b> mi je."
    sent = desk_client.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": written})
    assert sent.status_code == 201, sent.text
    assert sent.json()["message"]["text"] == written
    closed = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/resolve",
        json={"outcome": "explained", "note": "", "then": "close"},
    )
    assert closed.status_code == 200, closed.text
    assert fake_rasa.bot_texts("lang-reply") == [
        f"Maria (služba za obračun): {written}",
        "Hvala, ker ste se obrnili na našo službo za obračun. Pogovor je zaključen; "
        "pišite nam kadar koli.",
    ]


def test_queue_updates_are_in_the_tickets_language_with_plural_minutes(
    seeded_db: Engine, fake_rasa: FakeRasa, clock: FakeClock
) -> None:
    with Session(seeded_db) as session:
        desk_helpers.ticket(session, clock() - timedelta(minutes=3), conversation_id="lq-en")
        desk_helpers.ticket(
            session, clock() - timedelta(minutes=2), conversation_id="lq-sl", language="sl"
        )
    assert tick(seeded_db, fake_rasa, clock).told == 2
    assert fake_rasa.bot_texts("lq-en") == ["You're next in the queue."]
    assert fake_rasa.bot_texts("lq-sl") == ["Zdaj ste 2. v vrsti."]


@pytest.mark.parametrize(
    ("minutes", "slovenian"),
    [(1, "1 minuto"), (2, "2 minuti"), (3, "3 minute"), (4, "4 minute"), (5, "5 minut"),
     (101, "101 minuto"), (102, "102 minuti"), (111, "111 minut")],
)  # fmt: skip
def test_the_wait_in_minutes_follows_slovenian_plural_rules(minutes: int, slovenian: str) -> None:
    update = QueueUpdate(1, "c", 2, minutes * 60, Language.SL)
    assert queue_line(update) == f"Zdaj ste 2. v vrsti; počakali boste približno {slovenian}."
    english = QueueUpdate(1, "c", 1, minutes * 60, Language.EN)
    unit = "minute" if minutes == 1 else "minutes"
    assert queue_line(english) == f"You're next in the queue; about {minutes} {unit}."


def test_every_canned_phrase_exists_in_both_languages() -> None:
    for language in Language:
        texts = Texts(language)
        for key in PHRASE_KEYS:
            assert texts.has(key), (language, key)
            assert texts(key, agent="Ana").strip()
