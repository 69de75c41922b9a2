"""The base of every action that calls the back end: the one place client errors become words."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.billing_client import (
    BackendUnavailable,
    BillingClient,
    NotFound,
    NotVerified,
    Refused,
    StepUpRequired,
    shared_client,
)
from addons.redaction import CARD_CODE_MASK, CARD_MASK

logger = logging.getLogger(__name__)

BACKEND_DOWN = (
    "Sorry, I can't reach our billing system right now, so I can't look at your account. "
    "Please try again in a few minutes, or talk to a person."
)
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. Please try again, or talk to a person."
)
NOT_FOUND = "I couldn't find that on your account."
STEP_UP_AGAIN = (
    "For your security I need to confirm this with a new one-time code. Nothing has changed yet."
    " Shall I send one?"
)
REFUSED = "I can't do that in this chat, but a person from our billing team can look at it."
REVERIFY = (
    "For your security I need to confirm who you are again. Just ask your question once more."
)
CARD_NUMBER_HIDDEN = (
    "I've hidden the card details you typed; they aren't stored anywhere. Please never type card"
    " details in this chat: to pay, ask me for a secure payment link."
)
HANDOFF_QUESTION = "A colleague from our billing team can take this over. Shall I get one for you?"
YES_NO_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
OFFER_HUMAN_BUTTONS = [
    {"title": "Talk to a person", "payload": "/talk_to_human"},
    {"title": "No, thanks", "payload": "/deny"},
]


def offer_person(dispatcher: CollectingDispatcher, text: str, reason: str) -> list[EventType]:
    """Say why a person is needed and offer one; a yes or the button hands over with `reason`
    ("beyond_authority|17": the reason and the review finding it concerns)."""
    dispatcher.utter_message(text=f"{text} {HANDOFF_QUESTION}", buttons=OFFER_HUMAN_BUTTONS)
    return [SlotSet(names.HANDOFF_REASON, reason)]


DomainDict = dict[str, Any]


def point_out_hidden_card_number(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The channel hid card details in the latest message: say so, and never to type them."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if CARD_MASK in text or CARD_CODE_MASK in text:
        dispatcher.utter_message(text=CARD_NUMBER_HIDDEN)


def reset_verification() -> list[EventType]:
    """Events that forget the verification (the back end has already forgotten it)."""
    return [
        SlotSet(names.VERIFIED, False),
        SlotSet(names.VERIFIED_ACCOUNT_NUMBER, None),
        SlotSet(names.CUSTOMER_FIRST_NAME, None),
        SlotSet(names.IDENTITY_CHECK, None),
        SlotSet(names.ACCOUNT_NUMBER, None),
    ]


class BillingAction(Action, ABC):
    """An action that answers from the back end; an error never reaches the customer as silence."""

    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> BillingClient:
        return self._client or shared_client()

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        log = {"action": self.name(), "conversation_id": tracker.sender_id}
        point_out_hidden_card_number(dispatcher, tracker)
        try:
            return await self.answer(dispatcher, tracker, domain)
        except BackendUnavailable:
            logger.warning("action.backend_unavailable", extra=log)
            dispatcher.utter_message(text=BACKEND_DOWN, buttons=OFFER_HUMAN_BUTTONS)
        except NotVerified:
            logger.info("action.not_verified", extra=log)
            dispatcher.utter_message(text=REVERIFY)
            return reset_verification()
        except StepUpRequired:
            # The proposal stays; a yes runs the step-up form again. Forget the old code's outcome
            # too, or the form would count it as answered.
            dispatcher.utter_message(text=STEP_UP_AGAIN, buttons=YES_NO_BUTTONS)
            return [
                SlotSet(names.STEPPED_UP, False),
                SlotSet(names.AWAITING_CONFIRMATION, True),
                SlotSet(names.STEP_UP_CHANNEL, None),
                SlotSet(names.STEP_UP_CODE, None),
            ]
        except Refused as refusal:
            logger.info("action.refused", extra={**log, "code": refusal.code})
            dispatcher.utter_message(text=REFUSED, buttons=OFFER_HUMAN_BUTTONS)
            return [SlotSet(names.AWAITING_CONFIRMATION, False)]
        except NotFound:
            dispatcher.utter_message(text=NOT_FOUND)
        except Exception:
            logger.exception("action.failed", extra=log)
            dispatcher.utter_message(text=SOMETHING_WENT_WRONG, buttons=OFFER_HUMAN_BUTTONS)
        return []
