"""The end-of-conversation survey's actions against the back end's service routes (fake HTTP)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from rasa_sdk.events import SlotSet

from actions.billing_client import BillingClient
from actions.settings import ClientSettings
from actions.survey import (
    ActionAskSurveyAfterHandoff,
    ActionCloseConversation,
    ActionSaveSurveyComment,
    ActionSaveSurveyRating,
)
from tests.actions.conftest import make_tracker, run_action

RATING_PAYLOADS = [f'/rate_service{{"service_rating": "{n}"}}' for n in range(1, 6)]
QUESTION_EN = (
    "Before you go: how satisfied are you with this chat? Choose from 1 (not at all) to 5 "
    "(very satisfied). You can also just carry on."
)


@dataclass
class FakeService:
    """The back end's /api/v1/service routes at the HTTP boundary."""

    down: bool = False
    received: list[tuple[str, Any]] = field(default_factory=list)

    def client(self) -> BillingClient:
        settings = ClientSettings(backend_url="http://backend.test")
        return BillingClient(settings, transport=httpx.MockTransport(self))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content)
        self.received.append((request.url.path, body))
        return httpx.Response(201, json={"id": 7, **body})


def user(intent: str, text: str, stamp: float) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "timestamp": stamp,
        "parse_data": {"intent": {"name": intent}, "entities": []},
        "input_channel": "telegram",
    }


HELPED = [
    {"event": "session_started", "timestamp": 1000.0},
    user("greet", "hi", 1764000000.0),
    user("ask_balance", "what do I owe", 1764000010.0),
    user("thank", "thanks", 1764000060.0),
]


async def test_thanks_after_help_reports_the_end_and_asks_once() -> None:
    service = FakeService()
    tracker = make_tracker("thanks", "thank", slots={"language": "sl"}, events=HELPED)

    events, said = await run_action(ActionCloseConversation(service.client()), tracker)

    path, body = service.received[0]
    assert path == "/api/v1/service/endings"
    assert body["topic"] == "ask_balance"
    assert body["channel"] == "telegram"
    assert body["language"] == "sl"
    assert body["started_at"] == "2025-11-24T16:00:00+00:00"
    assert [b["payload"] for b in said[0][1]] == RATING_PAYLOADS
    assert said[0][0].startswith("Preden greste")
    assert events == [SlotSet("survey_asked", True)]

    asked = make_tracker("bye", "goodbye", slots={"survey_asked": True}, events=HELPED)
    events, said = await run_action(ActionCloseConversation(service.client()), asked)
    assert (events, said) == ([], [])
    assert len(service.received) == 2  # the end is updated, the question not asked again


async def test_no_survey_without_a_served_request_or_with_a_person() -> None:
    service = FakeService()
    only_greeting = [HELPED[0], HELPED[1], user("goodbye", "bye", 1764000020.0)]
    tracker = make_tracker("bye", "goodbye", events=only_greeting)
    assert await run_action(ActionCloseConversation(service.client()), tracker) == ([], [])

    with_person = make_tracker("bye", "goodbye", slots={"handoff_ticket": 3.0}, events=HELPED)
    assert await run_action(ActionCloseConversation(service.client()), with_person) == ([], [])
    assert service.received == []


async def test_back_end_down_still_asks_and_the_conversation_goes_on() -> None:
    tracker = make_tracker("thanks", "thank", events=HELPED)
    events, said = await run_action(
        ActionCloseConversation(FakeService(down=True).client()), tracker
    )
    assert said[0][0] == QUESTION_EN
    assert events == [SlotSet("survey_asked", True)]


async def test_rating_is_stored_once_and_a_comment_offered() -> None:
    service = FakeService()
    entities = [{"entity": "service_rating", "value": "4"}]
    tracker = make_tracker('/rate_service{"service_rating": "4"}', "rate_service", entities)

    events, said = await run_action(ActionSaveSurveyRating(service.client()), tracker)

    assert service.received == [
        (
            "/api/v1/service/survey-answers",
            {"conversation_id": "conv-1", "channel": "unknown", "language": "en", "rating": 4},
        )
    ]
    assert said == [
        (
            "Thank you for your rating. Would you like to add a comment?",
            [
                {"title": "Add a comment", "payload": "/add_survey_comment"},
                {"title": "No, thanks", "payload": "/goodbye"},
            ],
        )
    ]
    assert events == [SlotSet("survey_asked", True), SlotSet("survey_answer_id", 7)]

    again = make_tracker("/rate_service", "rate_service", entities, slots={"survey_answer_id": 7.0})
    events, said = await run_action(ActionSaveSurveyRating(service.client()), again)
    assert events == []
    assert said == [("You've already rated this chat, thank you.", [])]
    assert len(service.received) == 1


async def test_an_odd_rating_asks_again_and_stores_nothing() -> None:
    service = FakeService()
    for value in ("9", "0", "five", None, "-1"):
        entities = [{"entity": "service_rating", "value": value}] if value else []
        tracker = make_tracker("/rate_service", "rate_service", entities)
        _events, said = await run_action(ActionSaveSurveyRating(service.client()), tracker)
        assert said[0][0] == QUESTION_EN
    assert service.received == []


async def test_the_comment_goes_to_the_stored_answer() -> None:
    service = FakeService()
    slots = {"survey_answer_id": 7.0, "survey_comment": "  quick and clear  "}
    events, said = await run_action(
        ActionSaveSurveyComment(service.client()), make_tracker("quick", slots=slots)
    )
    assert service.received == [
        (
            "/api/v1/service/survey-answers/7/comment",
            {"conversation_id": "conv-1", "comment": "quick and clear"},
        )
    ]
    assert said == [("Thank you for your feedback.", [])]
    assert events == [SlotSet("survey_comment", None)]


async def test_after_a_person_helped_the_survey_is_asked_once_in_the_customer_s_language() -> None:
    handed_back = make_tracker(slots={"handoff_ticket": 3.0, "language": "sl"}, events=HELPED)
    events, said = await run_action(ActionAskSurveyAfterHandoff(), handed_back)

    assert said[0][0].startswith("Kako zadovoljni ste s pomočjo naše ekipe?")
    assert [b["payload"] for b in said[0][1]] == RATING_PAYLOADS
    assert events == [SlotSet("survey_asked", True)]

    english = make_tracker(slots={"handoff_ticket": 3.0}, events=HELPED)
    _events, said = await run_action(ActionAskSurveyAfterHandoff(), english)
    assert said[0][0].startswith("How satisfied are you with the help from our team?")

    asked = make_tracker(slots={"handoff_ticket": 3.0, "survey_asked": True}, events=HELPED)
    assert await run_action(ActionAskSurveyAfterHandoff(), asked) == ([], [])


async def test_a_goodbye_after_the_survey_after_a_person_does_not_ask_again() -> None:
    service = FakeService()
    bye = make_tracker("bye", "goodbye", slots={"survey_asked": True}, events=HELPED)
    assert await run_action(ActionCloseConversation(service.client()), bye) == ([], [])


async def test_a_rating_after_a_person_helped_names_their_ticket() -> None:
    service = FakeService()
    entities = [{"entity": "service_rating", "value": "4"}]
    slots = {"handoff_ticket": 12.0, "survey_asked": True}
    tracker = make_tracker("/rate_service", "rate_service", entities, slots=slots)

    events, _said = await run_action(ActionSaveSurveyRating(service.client()), tracker)

    assert service.received == [
        (
            "/api/v1/service/survey-answers",
            {
                "conversation_id": "conv-1",
                "channel": "unknown",
                "language": "en",
                "rating": 4,
                "ticket_id": 12,
            },
        )
    ]
    assert events == [SlotSet("survey_asked", True), SlotSet("survey_answer_id", 7)]
