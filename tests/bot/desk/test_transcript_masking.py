"""Through the API into the real database: what the customer wrote reaches the desk's
ticket_messages masked (cards, codes, dates, postcodes), from the handoff's transcript and from
Rasa's event broker; the bot's lines keep their dates."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.models import TicketMessage
from privacy.masking import fold
from tests import privacy_strategies as secret

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

pytestmark = pytest.mark.usefixtures("fresh_demo_agents")
CONVERSATION = "masking-conv"
REPORTED = [
    "my card is 4628.1948.2199.3511",
    "4628\u00a01948\u00a02199\u00a03511 and my cvv is: 733",
    "cvv code 735, the 3 digits on the back are 736",
    "born 1961/07/14 or 14071961 or 14-Jul-1961 or 14 07 1961 or 1961.07.14",
    "my account is 990700 and my postcode is 7071",
]


def open_ticket(client: TestClient, lines: list[dict[str, str]]) -> int:
    body = {
        "conversation_id": CONVERSATION,
        "channel": "socketio",
        "reason": "customer_request",
        "summary": "Asked for a person.",
        "intents": ["talk_to_human"],
        "slots": {},
        "transcript": lines,
    }
    answer = client.post("/api/v1/handoffs", json=body)
    assert answer.status_code in (200, 201), answer.text
    return int(answer.json()["ticket_id"])


def texts(engine: Engine, sender: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(select(TicketMessage.text).where(TicketMessage.sender == sender)).all()
        )


def digits(text: str) -> str:
    return re.sub(r"\D", "", fold(text))


def test_reported_leaks_are_masked_in_the_ticket(client: TestClient, seeded_db: Engine) -> None:
    lines = [{"sender": "customer", "text": text} for text in REPORTED]
    lines.append({"sender": "bot", "text": "Your invoice is due on 14 Mar 2026."})
    open_ticket(client, lines)
    events = [
        {"sender_id": CONVERSATION, "event": "user", "text": text, "timestamp": 1795000001 + n}
        for n, text in enumerate(REPORTED)
    ]
    answer = client.post("/api/v1/conversation-events", json={"events": events})
    assert answer.status_code == 202
    customer = texts(seeded_db, "customer")
    assert len(customer) == 2 * len(REPORTED)
    assert sorted(digits(text) for text in customer) == sorted(["990700"] * 2 + [""] * 8)
    assert texts(seeded_db, "bot") == ["Your invoice is due on 14 Mar 2026."]


_STAMPS = itertools.count(1795100000)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=st.lists(secret.sentences_with(secret.secrets()), min_size=1, max_size=3))
def test_no_generated_secret_reaches_ticket_messages(
    client: TestClient, seeded_db: Engine, cases: list[tuple[str, str]]
) -> None:
    if not texts(seeded_db, "system") and not texts(seeded_db, "customer"):
        open_ticket(client, [])
    events = [
        {"sender_id": CONVERSATION, "event": "user", "text": text, "timestamp": next(_STAMPS)}
        for text, _ in cases
    ]
    answer = client.post("/api/v1/conversation-events", json={"events": events})
    assert answer.status_code == 202
    assert [digits(text) for text in texts(seeded_db, "customer")] == [""] * len(
        texts(seeded_db, "customer")
    )
