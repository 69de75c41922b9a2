"""After an agent hands the conversation back, the bot asks the survey; the answer is counted.

Real processes over the REST channel: the customer is verified, asks for a person, Maria claims the
ticket and hands it back. The bot's question (with its 1-5 buttons) follows the hand-back line in
the conversation, the customer answers 4, a goodbye afterwards does not ask again, and the
supervisor's service figures count the 4; the stored answer names Maria's ticket.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import httpx

from tests.e2e.conftest import Stack
from tests.e2e.test_conversations import verify
from tests.e2e.test_handoff_messages import desk, ticket_id_of
from tests.e2e.test_slovenian import desk_session

__all__ = ["desk"]  # the fixture, used by name below

QUESTION = "How satisfied are you with the help from our team?"
HAND_BACK = "You're back with the billing assistant."


def bot_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.env["RASA_TOKEN"]},
        timeout=30,
    )
    response.raise_for_status()
    return [e for e in response.json()["events"] if e.get("event") == "bot"]


def supervisor_satisfaction(stack: Stack) -> dict[str, Any]:
    """The service figures of today, as Sara (supervisor) reads them."""
    with desk_session(stack, "sara") as client:
        response = client.get("/desk/api/service/figures?days=1")
        response.raise_for_status()
        satisfaction: dict[str, Any] = response.json()["satisfaction"]
        return satisfaction


def test_after_the_hand_back_the_customer_is_asked_once_and_the_4_is_counted(
    stack: Stack, sender: str, desk: httpx.Client
) -> None:
    fours_before = supervisor_satisfaction(stack)["counts"]["4"]
    verify(stack, sender, "what do I owe?", "100001", "14 March 1985")
    queued = " ".join(stack.chat(sender, "let me talk to a person"))
    assert re.search(r"You're (next in line|number \d+ in the queue)", queued), queued
    ticket = ticket_id_of(stack, sender)
    assert desk.post(f"/desk/api/tickets/{ticket}/claim").status_code == 200
    assert desk.post(f"/desk/api/tickets/{ticket}/messages", json={"text": "Done."}).is_success

    desk.post(
        f"/desk/api/tickets/{ticket}/resolve", json={"outcome": "explained", "then": "hand_back"}
    ).raise_for_status()

    last_two = bot_events(stack, sender)[-2:]
    assert last_two[0]["text"].startswith(HAND_BACK)
    assert last_two[1]["text"].startswith(QUESTION)
    payloads = [b["payload"] for b in last_two[1]["data"]["buttons"]]
    assert payloads == [f'/rate_service{{"service_rating": "{n}"}}' for n in range(1, 6)]

    thanks = stack.chat(sender, '/rate_service{"service_rating": "4"}')
    assert thanks == ["Thank you for your rating. Would you like to add a comment?"]
    goodbye = stack.chat(sender, "bye")
    assert not any(QUESTION in text or "how satisfied" in text for text in goodbye), goodbye

    satisfaction = supervisor_satisfaction(stack)
    assert satisfaction["counts"]["4"] == fours_before + 1
    with sqlite3.connect(stack.workdir / "billing.db") as db:  # the stack's billing data
        stored = db.execute(
            "SELECT rating, ticket_id FROM survey_answers WHERE conversation_id = ?", (sender,)
        ).fetchall()
    assert stored == [(4, ticket)]  # Maria's ticket is noted with the answer
