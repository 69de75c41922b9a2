"""The service API: a conversation's end and a survey answer reported by the action server."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.types import TicketStatus
from bot.service.models import ConversationEnding, SurveyAnswer
from tests.bot.api_helpers import expect_error
from tests.bot.conftest import NOW
from tests.bot.desk.helpers import ticket

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

STARTED = (NOW - timedelta(minutes=4)).isoformat()


def _answer(**fields: object) -> dict[str, object]:
    return {
        "conversation_id": "web-1",
        "channel": "socketio",
        "language": "sl",
        "rating": 4,
    } | fields


def test_survey_answer_is_stored_with_conversation_channel_language(
    client: TestClient, seeded_db: Engine
) -> None:
    response = client.post(
        "/api/v1/service/survey-answers", json=_answer(comment="  quick   help ")
    )

    assert response.status_code == 201, response.text
    assert response.json()["rating"] == 4
    assert response.json()["comment"] == "quick help"
    with seeded_db.connect() as connection:
        row = connection.execute(select(SurveyAnswer.__table__)).mappings().one()
    assert (row["conversation_id"], row["channel"], row["language"]) == ("web-1", "socketio", "sl")
    assert row["answered_at"] is not None


def test_comment_is_masked_and_blank_comment_is_none(client: TestClient) -> None:
    masked = client.post(
        "/api/v1/service/survey-answers",
        json=_answer(comment="card 4628 1948 2199 3511, born 14-Jul-1961"),
    ).json()
    blank = client.post("/api/v1/service/survey-answers", json=_answer(comment=" \n ")).json()

    assert "4628" not in masked["comment"]
    assert "1961" not in masked["comment"]
    assert "[card number removed]" in masked["comment"]
    assert blank["comment"] is None


def test_bad_answers_are_refused(client: TestClient) -> None:
    for bad in (
        _answer(rating=0),
        _answer(rating=6),
        _answer(rating="five"),
        _answer(comment="x" * 1001),
        _answer(conversation_id=""),
        _answer(language="de"),
        _answer(extra="field"),
    ):
        expect_error(
            client.post("/api/v1/service/survey-answers", json=bad), 422, "invalid_request"
        )


def test_service_api_needs_the_token(client: TestClient) -> None:
    response = client.post(
        "/api/v1/service/survey-answers", json=_answer(), headers={"Authorization": "Bearer wrong"}
    )
    assert response.status_code == 401


def test_ending_is_stored_once_per_session(client: TestClient, seeded_db: Engine) -> None:
    body = {
        "conversation_id": "web-2",
        "channel": "rest",
        "language": "en",
        "topic": "ask_balance",
        "started_at": STARTED,
    }
    first = client.post("/api/v1/service/endings", json=body)
    again = client.post("/api/v1/service/endings", json=body)

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert first.json()["verified"] is False
    with seeded_db.connect() as connection:
        rows = connection.execute(select(ConversationEnding.__table__)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["topic"] == "ask_balance"
    assert rows[0]["account_id"] is None


def test_ending_with_odd_topic_or_naive_time_is_refused(client: TestClient) -> None:
    body = {"conversation_id": "web-3", "started_at": STARTED}
    for bad in (body | {"topic": "Robert'); DROP"}, body | {"started_at": "2026-11-15T10:00:00"}):
        expect_error(client.post("/api/v1/service/endings", json=bad), 422, "invalid_request")


def test_comment_is_added_to_the_conversations_own_answer_only(client: TestClient) -> None:
    answer = client.post("/api/v1/service/survey-answers", json=_answer()).json()
    path = f"/api/v1/service/survey-answers/{answer['id']}/comment"

    other = client.post(path, json={"conversation_id": "web-other", "comment": "hi"})
    mine = client.post(path, json={"conversation_id": "web-1", "comment": "code 123456 worked"})

    expect_error(other, 404, "not_found")
    assert mine.status_code == 200, mine.text
    assert mine.json()["rating"] == 4
    assert "123456" not in (mine.json()["comment"] or "")
    missing = "/api/v1/service/survey-answers/2147483647/comment"
    expect_error(
        client.post(missing, json={"conversation_id": "web-1", "comment": "x"}), 404, "not_found"
    )


def test_the_ticket_a_person_finished_is_noted_with_the_answer(
    client: TestClient, seeded_db: Engine
) -> None:
    with Session(seeded_db) as session:
        resolved = ticket(session, NOW, status=TicketStatus.RESOLVED, conversation_id="web-1").id
        still_open = ticket(session, NOW, status=TicketStatus.CLAIMED, conversation_id="web-2").id
        other = ticket(session, NOW, status=TicketStatus.CLOSED, conversation_id="web-3").id

    def noted(conversation: str, ticket_id: int) -> object:
        answer = _answer(conversation_id=conversation, ticket_id=ticket_id)
        response = client.post("/api/v1/service/survey-answers", json=answer)
        assert response.status_code == 201, response.text
        return response.json()["ticket_id"]

    assert noted("web-1", resolved) == resolved
    assert noted("web-2", still_open) is None  # a person has not finished it
    assert noted("web-1", other) is None  # another conversation's ticket
    assert noted("web-1", 999_999) is None
    with seeded_db.connect() as connection:
        stored = (
            connection.execute(select(SurveyAnswer.ticket_id).order_by(SurveyAnswer.id))
            .scalars()
            .all()
        )
    assert stored == [resolved, None, None, None]
