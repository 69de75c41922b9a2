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
from actions.speech import Button, button, conversation_language, say, speaking, text
from privacy.masking import CARD_CODE_MASK, CARD_MASK

logger = logging.getLogger(__name__)

# Catalogue keys (i18n/locales/*/LC_MESSAGES/bot.po): what the customer reads for each failure.
BACKEND_DOWN = "error.backend_down"
SOMETHING_WENT_WRONG = "error.something_went_wrong"
NOT_FOUND = "error.not_found"
INVALID_REQUEST = "error.invalid_request"
TOO_MANY_REQUESTS = "error.too_many_requests"
BEYOND_AUTHORITY = "error.beyond_authority"
STEP_UP_AGAIN = "step_up.again"
REFUSED = "error.refused"
REVERIFY = "verification.reverify"
CARD_NUMBER_HIDDEN = "privacy.card_hidden"
HANDOFF_QUESTION = "handoff.question"


def yes_no_buttons() -> list[Button]:
    return [button("button.yes", "/affirm"), button("button.no", "/deny")]


def offer_human_buttons() -> list[Button]:
    return [button("button.talk_to_person", "/talk_to_human"), button("button.no_thanks", "/deny")]


def offer_person(
    dispatcher: CollectingDispatcher, why: str, reason: str, **values: Any
) -> list[EventType]:
    """Say why a person is needed (the message `why` with `values`) and offer one; a yes or the
    button hands over with `reason` ("beyond_authority|17": the reason and the review finding it
    concerns)."""
    say(
        dispatcher,
        HANDOFF_QUESTION,
        buttons=offer_human_buttons(),
        why=text(why, **values),
    )
    return [SlotSet(names.HANDOFF_REASON, reason)]


DomainDict = dict[str, Any]


def point_out_hidden_card_number(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The channel hid card details in the latest message: say so, and never to type them."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if CARD_MASK in text or CARD_CODE_MASK in text:
        say(dispatcher, CARD_NUMBER_HIDDEN)


def reset_verification() -> list[EventType]:
    """Events that forget the verification (the back end has already forgotten it)."""
    return [
        SlotSet(names.VERIFIED, False),
        SlotSet(names.VERIFIED_ACCOUNT_NUMBER, None),
        SlotSet(names.CUSTOMER_FIRST_NAME, None),
        SlotSet(names.IDENTITY_CHECK, None),
        SlotSet(names.ACCOUNT_NUMBER, None),
    ]


# The key naming a bot message's language (as addons/catalogue_nlg.py names it on responses).
MESSAGE_LANGUAGE = "language"

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
            # The one place an action call's language is chosen: texts, amounts, dates and the
            # back end's Accept-Language all follow the conversation's `language` slot.
            language = conversation_language(tracker)
            said_before = len(dispatcher.messages)
            with speaking(language):
                try:
                    return await _call(run, self, dispatcher, tracker, domain)
                except ActionExecutionRejection:
                    raise
                except Exception as error:  # the safety net: the customer must hear back
                    return fail_safely(self, error, dispatcher, tracker, domain)
                finally:
                    # Each message names its language (messaging channels word their labels by it).
                    for message in dispatcher.messages[said_before:]:
                        message.setdefault(MESSAGE_LANGUAGE, language)
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
    key = BACKEND_DOWN if isinstance(error, BackendUnavailable) else SOMETHING_WENT_WRONG
    say(dispatcher, key, buttons=offer_human_buttons())
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
            say(dispatcher, BACKEND_DOWN, buttons=offer_human_buttons())
        except NotVerified:
            logger.info("action.not_verified", extra=log)
            say(dispatcher, REVERIFY)
            return reset_verification()
        except StepUpRequired:
            # The proposal stays; a yes runs the step-up form again. Forget the old code's outcome
            # too, or the form would count it as answered.
            say(dispatcher, STEP_UP_AGAIN, buttons=yes_no_buttons())
            return [
                SlotSet(names.STEPPED_UP, False),
                SlotSet(names.AWAITING_CONFIRMATION, True),
                SlotSet(names.STEP_UP_CHANNEL, None),
                SlotSet(names.STEP_UP_CODE, None),
            ]
        except InvalidRequest:
            logger.warning("action.invalid_request", extra=log)
            say(dispatcher, INVALID_REQUEST, buttons=offer_human_buttons())
        except BeyondAuthority as refusal:
            logger.info("action.beyond_authority", extra={**log, "code": refusal.code})
            events = offer_person(dispatcher, BEYOND_AUTHORITY, "beyond_authority")
            return [*events, SlotSet(names.AWAITING_CONFIRMATION, False)]
        except Refused as refusal:
            logger.info("action.refused", extra={**log, "code": refusal.code})
            say(dispatcher, REFUSED, buttons=offer_human_buttons())
            return [SlotSet(names.AWAITING_CONFIRMATION, False)]
        except NotFound:
            say(dispatcher, NOT_FOUND)
        except TooManyRequests:
            logger.info("action.too_many_requests", extra=log)
            say(dispatcher, TOO_MANY_REQUESTS, buttons=offer_human_buttons())
        except BackendRejected as rejection:
            # Another 4xx: the request broke the contract (our side), so it is logged louder.
            logger.warning(
                "action.rejected", extra={**log, "status": rejection.status, "code": rejection.code}
            )
            say(dispatcher, SOMETHING_WENT_WRONG, buttons=offer_human_buttons())
        return []
