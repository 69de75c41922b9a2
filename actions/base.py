"""The base of every action: the one place errors become words.

`GuardedAction` is the safety net under every action of this package: whatever an action's `run`
raises (a client error it did not expect, a KeyError in an odd answer, a bug), the customer gets a
short apology with a person offered, a form in progress is ended cleanly, and the log gets the
action, the conversation and the exception's class and place, never its message (it may quote
what the customer typed). Without it rasa-sdk answers 500 with the whole tracker in the body, which
Rasa logs, and the customer hears nothing. `BillingAction` adds the words for each typed error of
the billing client (`actions/billing_client.py`).
"""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection

from actions import names
from actions.billing_client import (
    BackendRejected,
    BackendUnavailable,
    BeyondAuthority,
    BillingClient,
    InvalidRequest,
    NotFound,
    NotVerified,
    Refused,
    StepUpRequired,
    TooManyRequests,
    shared_client,
)
from privacy.masking import CARD_CODE_MASK, CARD_MASK

logger = logging.getLogger(__name__)

BACKEND_DOWN = (
    "Sorry, I can't reach our billing system right now, so I can't look at your account. "
    "Please try again in a few minutes, or talk to a person."
)
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. Please try again, or talk to a person."
)
NOT_FOUND = "I couldn't find that on your account."
INVALID_REQUEST = (
    "Sorry, I couldn't look that up as asked. Please check the month, number or amount and ask"
    " again, or talk to a person."
)
TOO_MANY_REQUESTS = (
    "That has been asked for several times in a short while, so I have to wait before trying"
    " again. Please try again later, or talk to a person."
)
BEYOND_AUTHORITY = "That's more than I'm allowed to do myself."
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


_inside_guard: ContextVar[bool] = ContextVar("_inside_guard", default=False)
Run = Callable[[Any, CollectingDispatcher, Tracker, "DomainDict"], Any]


def guarded(run: Run) -> Callable[..., Awaitable[list[EventType]]]:
    """`run` that never raises: the outermost guard of an action call answers for any failure.

    ActionExecutionRejection still passes: it is how a form tells Rasa "not my turn" (a 400)."""

    @functools.wraps(run)
    async def guarded_run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if _inside_guard.get():  # a subclass's run calling super().run: one guard is enough
            return await _call(run, self, dispatcher, tracker, domain)
        token = _inside_guard.set(True)
        try:
            return await _call(run, self, dispatcher, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as error:  # the safety net: the customer must hear back
            return fail_safely(self, error, dispatcher, tracker, domain)
        finally:
            _inside_guard.reset(token)

    guarded_run.__guarded__ = True  # type: ignore[attr-defined]
    return guarded_run


async def _call(
    run: Run, action: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    result = run(action, dispatcher, tracker, domain)
    if inspect.isawaitable(result):
        result = await result
    return list(result or [])


def fail_safely(
    action: Action,
    error: Exception,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
) -> list[EventType]:
    """Log the failure without its message, apologise, offer a person, end what was in progress."""
    logger.error(
        "action.failed",
        extra={
            "action": action.name(),
            "conversation_id": tracker.sender_id,
            "error": type(error).__name__,
            "where": where(error),
        },
    )
    text = BACKEND_DOWN if isinstance(error, BackendUnavailable) else SOMETHING_WENT_WRONG
    dispatcher.utter_message(text=text, buttons=OFFER_HUMAN_BUTTONS)
    try:
        if isinstance(action, GuardedAction):
            return action.failure_events(tracker, domain)
        return clean_failure_events(action, tracker, domain)
    except Exception as second:  # the apology is out; Rasa must still get an answer
        logger.error("action.failure_events_failed", extra={"error": type(second).__name__})
        return []


def clean_failure_events(action: Action, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """A form in progress ends with its questions forgotten, and the bot listens: otherwise Rasa
    would run the form's next step, or the rule for a finished form, on half-done state."""
    if isinstance(action, FormValidationAction):
        try:
            asked = list(action.domain_slots(domain))
        except Exception:  # an odd domain must not stop the apology
            asked = []
        forgotten: list[EventType] = [SlotSet(slot, None) for slot in asked]
    elif (tracker.active_loop or {}).get("name"):
        forgotten = []
    else:
        return []
    return [
        *forgotten,
        SlotSet(names.REQUESTED_SLOT, None),
        ActiveLoop(None),
        FollowupAction("action_listen"),
    ]


def where(error: BaseException) -> str:
    """`module.py:line function` of the deepest frame in our code: a place, never a message."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename).parent.name in ("actions", "addons")]
    if not (ours or frames):
        return "unknown"
    frame = (ours or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"


class GuardedAction(Action, ABC):
    """The base of every action here: each subclass's `run` is wrapped by `guarded` when the class
    is defined, so no action, now or later, can answer Rasa with an exception."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.__dict__.get("run", cls.run)
        if not getattr(run, "__guarded__", False):
            cls.run = guarded(run)  # type: ignore[method-assign]

    def failure_events(self, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """What a failed run returns (after the apology); an action may need more, e.g. a session
        start still has to start the session."""
        return clean_failure_events(self, tracker, domain)

    @abstractmethod
    def name(self) -> str: ...


class BillingAction(GuardedAction):
    """An action that answers from the back end; every typed client error gets its own words."""

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
        except InvalidRequest:
            logger.warning("action.invalid_request", extra=log)
            dispatcher.utter_message(text=INVALID_REQUEST, buttons=OFFER_HUMAN_BUTTONS)
        except BeyondAuthority as refusal:
            logger.info("action.beyond_authority", extra={**log, "code": refusal.code})
            events = offer_person(dispatcher, BEYOND_AUTHORITY, "beyond_authority")
            return [*events, SlotSet(names.AWAITING_CONFIRMATION, False)]
        except Refused as refusal:
            logger.info("action.refused", extra={**log, "code": refusal.code})
            dispatcher.utter_message(text=REFUSED, buttons=OFFER_HUMAN_BUTTONS)
            return [SlotSet(names.AWAITING_CONFIRMATION, False)]
        except NotFound:
            dispatcher.utter_message(text=NOT_FOUND)
        except TooManyRequests:
            logger.info("action.too_many_requests", extra=log)
            dispatcher.utter_message(text=TOO_MANY_REQUESTS, buttons=OFFER_HUMAN_BUTTONS)
        except BackendRejected as rejection:
            # Another 4xx: the request broke the contract (our side), so it is logged louder.
            logger.warning(
                "action.rejected", extra={**log, "status": rejection.status, "code": rejection.code}
            )
            dispatcher.utter_message(text=SOMETHING_WENT_WRONG, buttons=OFFER_HUMAN_BUTTONS)
        return []
