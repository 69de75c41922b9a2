"""The end-of-conversation survey (issue 13 part 6): one question, satisfaction 1-5 as buttons,
and an optional comment; and the conversation's end reported for the service figures.

When the customer leaves (goodbye) or thanks the bot after it served a request in this session,
`action_close_conversation` reports the end (channel, language, the request's intent as topic,
when the session started) and asks the question once per session. The buttons send
`/rate_service{"service_rating": "N"}`; `action_save_survey_rating` stores the answer and offers a
comment (`survey_comment_form`, one free-text slot) or leave. A customer who ignores the question
and asks something else is simply answered: nothing waits for the survey.

When an agent hands the conversation back to the bot (or closes the ticket), the back end has
Rasa run `action_ask_survey_after_handoff` (bot/desk/rasa_client.py): the same question about the
person's help, once per session like the other (a goodbye afterwards does not ask again). No end is
reported then: the handoff ticket is that contact in the service figures.

Storing is best-effort: the back end being down never stops the conversation (logged, no text of
the customer in the log). The comment is masked by the back end (privacy.masking) before it is
stored; Rasa's tracker store redacts it like every message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import DomainDict, GuardedAction
from actions.billing_client import BillingClient, BillingClientError, shared_client
from actions.speech import Button, button, current_language, say

logger = logging.getLogger(__name__)

# Catalogue keys (i18n/locales/*/LC_MESSAGES/bot.po).
QUESTION: Final = "survey.question"
QUESTION_AFTER_AGENT: Final = "survey.question_after_agent"
THANKS: Final = "survey.thanks"
COMMENT_THANKS: Final = "survey.comment_thanks"
ALREADY_ANSWERED: Final = "survey.already_answered"
ASK_COMMENT: Final = "survey.ask_comment"
RATING_BUTTON: Final = "survey.button.rating"
ADD_COMMENT_BUTTON: Final = "survey.button.add_comment"
NO_COMMENT_BUTTON: Final = "survey.button.no_comment"

RATINGS: Final = (1, 2, 3, 4, 5)
# Intents that are no request for the bot to serve: a session with only these was not "helped".
NOT_A_REQUEST: Final = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "out_of_scope",
        "nlu_fallback",
        "change_language",
        "rate_service",
        "add_survey_comment",
        "choose_option",
        "provide_account_number",
        "provide_verification_info",
        "continue_with_bot",
        "wait_for_agent",
        "request_callback",
    }
)


def rating_buttons() -> list[Button]:
    return [
        button(RATING_BUTTON, f'/rate_service{{"{names.SERVICE_RATING}": "{n}"}}', rating=n)
        for n in RATINGS
    ]


def session_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The events of the current session (after its last `session_started`)."""
    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if event.get("event") == "session_started"]
    return events[starts[-1] + 1 :] if starts else events


def served_topic(tracker: Tracker) -> str | None:
    """The intent of the session's latest request, if the customer asked the bot for something."""
    topic = None
    for event in session_events(tracker):
        if event.get("event") != "user":
            continue
        intent = str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
        if intent and intent not in NOT_A_REQUEST:
            topic = intent
    return topic


def session_start(tracker: Tracker) -> datetime:
    """When the session's first message came (now if none carries a time)."""
    for event in session_events(tracker):
        stamp = event.get("timestamp")
        if event.get("event") == "user" and isinstance(stamp, int | float):
            return datetime.fromtimestamp(stamp, timezone.utc)
    return datetime.now(timezone.utc)


def conversation_facts(tracker: Tracker) -> dict[str, str]:
    return {
        "conversation_id": tracker.sender_id,
        "channel": tracker.get_latest_input_channel() or "unknown",
        "language": current_language(),
    }


class SurveyAction(GuardedAction):
    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> BillingClient:
        return self._client or shared_client()


class ActionCloseConversation(SurveyAction):
    """After a goodbye or a thank-you: report the end and ask the survey, once per session, if
    the bot served a request and no person has the conversation."""

    def name(self) -> str:
        return "action_close_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = served_topic(tracker)
        if topic is None or tracker.get_slot(names.HANDOFF_TICKET) is not None:
            return []
        body = {
            **conversation_facts(tracker),
            "topic": topic,
            "started_at": session_start(tracker).isoformat(),
        }
        try:
            await self.client.report_ending(tracker.sender_id, body)
        except BillingClientError as error:
            logger.warning(
                "survey.ending_not_stored",
                extra={"conversation_id": tracker.sender_id, "error": type(error).__name__},
            )
        if tracker.get_slot(names.SURVEY_ASKED):
            return []
        say(dispatcher, QUESTION, buttons=rating_buttons())
        return [SlotSet(names.SURVEY_ASKED, True)]


class ActionAskSurveyAfterHandoff(GuardedAction):
    """Run by the back end when an agent hands the conversation back or closes the ticket: ask
    the survey about the person's help, unless it was asked in this session already."""

    def name(self) -> str:
        return "action_ask_survey_after_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(names.SURVEY_ASKED):
            return []
        say(dispatcher, QUESTION_AFTER_AGENT, buttons=rating_buttons())
        return [SlotSet(names.SURVEY_ASKED, True)]


def chosen_rating(tracker: Tracker) -> int | None:
    value = next(tracker.get_latest_entity_values(names.SERVICE_RATING), None)
    try:
        rating = int(str(value).strip())
    except ValueError:
        return None
    return rating if rating in RATINGS else None


class ActionSaveSurveyRating(SurveyAction):
    """A rating button: store the answer once per session and offer a comment."""

    def name(self) -> str:
        return "action_save_survey_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(names.SURVEY_ANSWER_ID) is not None:
            say(dispatcher, ALREADY_ANSWERED)
            return []
        rating = chosen_rating(tracker)
        if rating is None:
            say(dispatcher, QUESTION, buttons=rating_buttons())
            return [SlotSet(names.SURVEY_ASKED, True)]
        body: dict[str, Any] = {**conversation_facts(tracker), "rating": rating}
        ticket = tracker.get_slot(names.HANDOFF_TICKET)
        if ticket is not None:  # a person helped first: the back end notes their ticket
            body["ticket_id"] = int(ticket)
        try:
            stored = await self.client.answer_survey(tracker.sender_id, body)
        except BillingClientError as error:
            logger.warning(
                "survey.answer_not_stored",
                extra={"conversation_id": tracker.sender_id, "error": type(error).__name__},
            )
            say(dispatcher, COMMENT_THANKS)
            return []
        say(
            dispatcher,
            THANKS,
            buttons=[
                button(ADD_COMMENT_BUTTON, "/add_survey_comment"),
                button(NO_COMMENT_BUTTON, "/goodbye"),
            ],
        )
        return [SlotSet(names.SURVEY_ASKED, True), SlotSet(names.SURVEY_ANSWER_ID, stored["id"])]


class ActionAskSurveyComment(GuardedAction):
    """The comment form's question."""

    def name(self) -> str:
        return "action_ask_survey_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, ASK_COMMENT)
        return []


class ActionSaveSurveyComment(SurveyAction):
    """The comment form is done: add the comment to the stored answer."""

    def name(self) -> str:
        return "action_save_survey_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answer_id = tracker.get_slot(names.SURVEY_ANSWER_ID)
        comment = str(tracker.get_slot(names.SURVEY_COMMENT) or "").strip()
        if answer_id is not None and comment:
            try:
                await self.client.comment_survey(tracker.sender_id, int(answer_id), comment[:1000])
            except BillingClientError as error:
                logger.warning(
                    "survey.comment_not_stored",
                    extra={"conversation_id": tracker.sender_id, "error": type(error).__name__},
                )
        say(dispatcher, COMMENT_THANKS)
        return [SlotSet(names.SURVEY_COMMENT, None)]
