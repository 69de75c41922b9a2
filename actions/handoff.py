"""Handing the conversation to a person: a ticket in the back end's queue, then Rasa pauses.

Why a person is needed (`Reason`) comes from the conversation: the customer asked, verification
was locked, a request was beyond the bot's authority (the action that refused said so in the
`handoff_reason` slot), two messages in a row were not understood, or the customer is upset. The
ticket carries what an agent needs so the customer does not repeat themselves: the reason, the
intents and a few slots so far, a short summary, the redacted transcript; the back end attaches
the verified account itself. While an agent owns the conversation Rasa stores the customer's
messages but runs no action (`ConversationPaused`); the desk resumes it.

When the wait is long, nobody is on duty or the desk is closed, the customer chooses: a callback
window, waiting anyway (only when the desk is open), or carrying on with the bot.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import BillingAction, DomainDict, GuardedAction
from actions.billing_client import (
    JSON,
    BackendUnavailable,
    BillingClient,
    BillingClientError,
    Refused,
    shared_client,
)
from actions.handoff_text import (
    ANYTHING_ELSE,
    CALLBACK_BOOKED,
    CARRY_ON,
    HANDOFF_UNAVAILABLE,
    NO_OPEN_TICKET,
    STILL_NOT_UNDERSTOOD,
    callback_question,
    queue_message,
)
from actions.speech import current_language, say
from actions.transcript import conversation_summary, redacted_transcript, user_intents

logger = logging.getLogger(__name__)

REASONS = frozenset(
    {
        "customer_request",
        "repeated_fallback",
        "verification_locked",
        "beyond_authority",
        "upset_customer",
    }
)
# Slots an agent may see (the back end filters again); never identity answers or codes.
SHARED_SLOTS = (
    names.VERIFIED,
    names.VERIFICATION_LOCKED,
    names.PENDING_OPERATION,
    names.CUSTOMER_FIRST_NAME,
)


def handoff_reason(tracker: Tracker) -> tuple[str, int | None]:
    """Why the customer needs a person, and the review finding it concerns (if any)."""
    given = str(tracker.get_slot(names.HANDOFF_REASON) or "")
    reason, _, finding = given.partition("|")
    if reason in REASONS:
        return reason, int(finding) if finding.isdigit() else None
    if tracker.get_slot(names.VERIFICATION_LOCKED):
        return "verification_locked", None
    intent = (tracker.latest_message or {}).get("intent", {}).get("name")
    if intent == names.EXPRESS_FRUSTRATION:
        return "upset_customer", None
    if intent == "nlu_fallback":
        return "repeated_fallback", None
    return "customer_request", None


async def hand_off(
    client: BillingClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: str,
    *,
    wait_anyway: bool = False,
) -> list[EventType]:
    """Open the ticket and either pause (waiting for a person) or ask about a callback.

    `wait_anyway`: the customer already chose to wait rather than a callback or the bot."""
    reason_name, finding_id = reason.partition("|")[0], None
    if "|" in reason and reason.split("|")[1].isdigit():
        finding_id = int(reason.split("|")[1])
    body: JSON = {
        "conversation_id": tracker.sender_id,
        "channel": tracker.get_latest_input_channel() or "unknown",
        "reason": reason_name,
        "summary": conversation_summary(tracker, reason_name),
        "intents": user_intents(tracker),
        "slots": {slot: tracker.get_slot(slot) for slot in SHARED_SLOTS},
        "transcript": redacted_transcript(tracker),
        "language": current_language(),  # the desk shows it and offers phrases in it
    }
    if finding_id is not None:
        body["finding_id"] = finding_id
    try:
        ticket = await client.open_handoff(tracker.sender_id, body)
    except (BackendUnavailable, Refused):
        logger.warning("handoff.unavailable", extra={"conversation_id": tracker.sender_id})
        say(dispatcher, HANDOFF_UNAVAILABLE)
        return [SlotSet(names.HANDOFF_REASON, None)]
    logger.info(
        "handoff.opened",
        extra={"conversation_id": tracker.sender_id, "ticket_id": ticket["ticket_id"]},
    )
    events: list[EventType] = [
        SlotSet(names.HANDOFF_REASON, None),
        SlotSet(names.HANDOFF_TICKET, float(ticket["ticket_id"])),
        # What was waiting for a yes is now the agent's to decide (they see it in the ticket).
        SlotSet(names.PENDING_OPERATION, None),
        SlotSet(names.AWAITING_CONFIRMATION, False),
    ]
    if ticket.get("callback_offered") and not wait_anyway:
        text, buttons = callback_question(ticket, verified=bool(tracker.get_slot(names.VERIFIED)))
        dispatcher.utter_message(text=text, buttons=buttons)
        return events
    channel = tracker.get_latest_input_channel()
    dispatcher.utter_message(text=queue_message(ticket, first=True, channel=channel))
    return [*events, ConversationPaused()]


class ActionHandOff(BillingAction):
    """The customer gets a person: the reason is read from the conversation."""

    def name(self) -> str:
        return "action_hand_off"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason, finding = handoff_reason(tracker)
        tagged = f"{reason}|{finding}" if finding is not None else reason
        return await hand_off(self.client, dispatcher, tracker, tagged)


class ActionHandleFallback(BillingAction):
    """Not understood: ask to rephrase once; the second time in a row, offer a person at once.

    It answers both kinds of "not understood": NLU below its confidence threshold (the intent
    `nlu_fallback`, by rule) and the dialogue policies unsure what to do next (RulePolicy's
    `core_fallback_action_name`). In the second case the message is taken back from the dialogue
    state, as Rasa's own `action_default_fallback` does, so it does not steer later predictions.
    """

    def name(self) -> str:
        return names.ACTION_HANDLE_FALLBACK

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        understood = (tracker.latest_message or {}).get("intent", {}).get("name") != "nlu_fallback"
        take_back: list[EventType] = [UserUtteranceReverted()] if understood else []
        if consecutive_fallbacks(tracker.events) < 2:
            dispatcher.utter_message(response="utter_default")
            return take_back
        say(dispatcher, STILL_NOT_UNDERSTOOD)
        return [*take_back, *await hand_off(self.client, dispatcher, tracker, "repeated_fallback")]


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    """How many of the latest customer messages in a row were not understood, the latest included.

    A message was not understood when NLU said so (`nlu_fallback`) or when the fallback action
    answered it; the latest message is being answered by the fallback action now.
    """
    count = 0
    answered_by: str | None = names.ACTION_HANDLE_FALLBACK
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("pause", "resume"):
            break  # a person had the conversation in between
        if kind == "action":
            answered_by = event.get("name")  # ends as the first action after the message
            continue
        if kind != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent != "nlu_fallback" and answered_by != names.ACTION_HANDLE_FALLBACK:
            break
        count += 1
        answered_by = None
    return count


class ActionWaitForAgent(BillingAction):
    """After the callback question: the customer would rather wait for a person now."""

    def name(self) -> str:
        return "action_wait_for_agent"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await hand_off(
            self.client, dispatcher, tracker, "customer_request", wait_anyway=True
        )


class ActionBookCallback(BillingAction):
    """The customer chose a callback window offered with the ticket."""

    def name(self) -> str:
        return "action_book_callback"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = tracker.get_slot(names.HANDOFF_TICKET)
        window = next(tracker.get_latest_entity_values(names.CALLBACK_WINDOW), None)
        if ticket is None or not window:
            say(dispatcher, NO_OPEN_TICKET)
            return []
        try:
            booked = await self.client.choose_callback(tracker.sender_id, int(ticket), window)
        except Refused:
            say(dispatcher, NO_OPEN_TICKET)
            return [SlotSet(names.HANDOFF_TICKET, None)]
        say(dispatcher, CALLBACK_BOOKED, window=booked["callback_window"]["label"])
        return [SlotSet(names.HANDOFF_TICKET, None)]


class ActionCarryOnWithBot(BillingAction):
    """The customer would rather carry on with the bot: the ticket is withdrawn."""

    def name(self) -> str:
        return "action_carry_on_with_bot"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = tracker.get_slot(names.HANDOFF_TICKET)
        if ticket is not None:
            with contextlib.suppress(Refused):  # already closed: nothing to withdraw
                await self.client.withdraw_handoff(tracker.sender_id, int(ticket))
        say(dispatcher, CARRY_ON)
        return [SlotSet(names.HANDOFF_TICKET, None)]


class ActionAnswerBareYesNo(BillingAction):
    """A yes or no outside a form: the answer to "Shall I get a colleague?" if that was asked."""

    def name(self) -> str:
        return "action_answer_bare_yes_no"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason = tracker.get_slot(names.HANDOFF_REASON)
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        if reason and intent == "affirm":
            return await hand_off(self.client, dispatcher, tracker, str(reason))
        say(dispatcher, ANYTHING_ELSE)
        return [SlotSet(names.HANDOFF_REASON, None)] if reason else []


class ActionEndOpenHandoff(GuardedAction):
    """After a goodbye: a ticket the customer was still deciding about (callback, wait or the
    bot) is withdrawn, so nobody waits in the queue for a customer who has left. Says nothing."""

    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "action_end_open_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = tracker.get_slot(names.HANDOFF_TICKET)
        if ticket is None:
            return []
        client = self._client or shared_client()
        try:
            await client.withdraw_handoff(tracker.sender_id, int(ticket))
        except BillingClientError as error:  # abandoned later by the back end instead
            logger.info(
                "handoff.withdraw_failed",
                extra={"conversation_id": tracker.sender_id, "error": type(error).__name__},
            )
        return [SlotSet(names.HANDOFF_TICKET, None)]
