"""Step-up: a one-time code to a contact on file before money moves or a contract changes.

The customer picks one of the masked contacts; the back end sends, hashes, expires and checks it.
The code itself is never put in a slot or a log; the redacting tracker store removes the message.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import BACKEND_DOWN, DomainDict, GuardedAction, offer_human_buttons
from actions.billing_client import (
    JSON,
    BillingClient,
    BillingClientError,
    TooManyRequests,
    shared_client,
)
from actions.form_outcome import ReturnsOutcomeSlots
from actions.keys import idempotency_key
from actions.operations import Operation
from actions.speech import plural, say

logger = logging.getLogger(__name__)


TOO_MANY_CODES = "step_up.too_many_codes"
_CODE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})(?!\d)")
# English and Slovenian words ("na e-pošto", "po sms-u", "prvo", "na telefon").
EMAIL_WORDS = ("mail", "e-mail", "email", "inbox", "pošto", "posto", "pošta", "posta", "mejl")
ORDINAL_FIRST = ("first", "1st", "1", "one", "top", "prvo", "prvi", "prva", "zgornji")
ORDINAL_SECOND = ("second", "2nd", "2", "two", "bottom", "drugo", "drugi", "druga", "spodnji")
SMS_WORDS = ("sms", "text", "phone", "mobile", "cell", "telefon", "mobitel", "gsm", "sporočilo")


def find_code(text: str) -> str | None:
    match = _CODE.search(text)
    return match.group(1) + match.group(2) if match else None


def choose_channel(channels: list[JSON], text: str, option: str | None) -> JSON | None:
    """The channel the customer picked: by button (option = id) or by saying 'email' / 'sms'."""
    if option:
        return next((c for c in channels if c["id"] == option), None)
    lowered = text.lower()
    for kind, words in (("email", EMAIL_WORDS), ("sms", SMS_WORDS)):
        if any(word in lowered for word in words):
            return next((c for c in channels if c["kind"] == kind), None)
    for position, words in enumerate((ORDINAL_FIRST, ORDINAL_SECOND)):
        if position < len(channels) and re.search(rf"\b({'|'.join(words)})\b", lowered):
            return channels[position]
    if len(channels) == 1 and re.search(r"\b(yes|ok|okay|sure|send)\b", lowered):
        return channels[0]
    return None


def channel_buttons(channels: list[JSON]) -> list[dict[str, str]]:
    return [
        {"title": c["masked"], "payload": f'/choose_option{{"option": "{c["id"]}"}}'}
        for c in channels
    ]


class StepUpMixin:
    _client: BillingClient | None

    @property
    def client(self) -> BillingClient:
        return self._client or shared_client()


class ActionAskStepUpChannel(StepUpMixin, GuardedAction):
    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "action_ask_step_up_channel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        account = tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER)
        try:
            channels = await self.client.step_up_channels(tracker.sender_id, account)
        except BillingClientError as error:
            logger.warning("step_up.channels_failed", extra={"error": type(error).__name__})
            say(dispatcher, BACKEND_DOWN, buttons=offer_human_buttons())
            return [SlotSet(names.STEP_UP_CODE, names.CHECK_UNAVAILABLE)]
        say(dispatcher, "step_up.ask_channel", buttons=channel_buttons(channels))
        return []


class ActionAskStepUpCode(GuardedAction):
    def name(self) -> str:
        return "action_ask_step_up_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        where = tracker.get_slot(names.STEP_UP_CHANNEL)
        if where:
            say(dispatcher, "step_up.ask_code", contact=where)
        else:
            say(dispatcher, "step_up.ask_code_contact_on_file")
        return []


class ValidateStepUpForm(StepUpMixin, ReturnsOutcomeSlots):
    # Once the code passes, required_slots() is empty and rasa-sdk would drop these.
    outcome_slots = (names.STEP_UP_CODE, names.STEPPED_UP)

    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "validate_step_up_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Already confirmed in the last minutes: nothing to ask (the back end still checks).
        # A dispute moves no money, so it needs no code either.
        operation = Operation.decode(tracker.get_slot(names.PENDING_OPERATION))
        if tracker.get_slot(names.STEPPED_UP) or (operation and not operation.needs_step_up):
            return []
        return domain_slots

    async def extract_step_up_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.STEP_UP_CHANNEL:
            return {}
        account = tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER)
        option = next(tracker.get_latest_entity_values("option"), None)
        try:
            channels = await self.client.step_up_channels(tracker.sender_id, account)
            channel = choose_channel(channels, tracker.latest_message.get("text") or "", option)
            if channel is None:
                return {}
            key = idempotency_key(tracker, f"step-up-code:{channel['id']}")
            await self.client.send_step_up_code(tracker.sender_id, account, channel["id"], key)
        except BillingClientError as error:
            logger.warning("step_up.code_not_sent", extra={"error": type(error).__name__})
            if isinstance(error, TooManyRequests):
                say(dispatcher, TOO_MANY_CODES)
            return {names.STEP_UP_CHANNEL: "-", names.STEP_UP_CODE: names.CHECK_UNAVAILABLE}
        logger.info("step_up.code_sent", extra={"conversation_id": tracker.sender_id})
        return {names.STEP_UP_CHANNEL: channel["masked"]}

    async def extract_step_up_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.STEP_UP_CODE:
            return {}
        code = find_code(tracker.latest_message.get("text") or "")
        if code is None:
            return {}
        account = tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER)
        if code == account:
            # Six digits too, but the customer's own account number: not a try at the code.
            say(dispatcher, "step_up.account_number_not_code")
            return {names.STEP_UP_CODE: None}
        try:
            result = await self.client.check_step_up_code(tracker.sender_id, account, code)
        except BillingClientError as error:
            logger.warning("step_up.check_failed", extra={"error": type(error).__name__})
            return {names.STEP_UP_CODE: names.CHECK_UNAVAILABLE}
        status = result["status"]
        logger.info(
            "step_up.checked", extra={"conversation_id": tracker.sender_id, "status": status}
        )
        if status == "verified":
            return {names.STEP_UP_CODE: names.CHECK_PASSED, names.STEPPED_UP: True}
        if status == "failed" and result.get("attempts_left"):
            left = result["attempts_left"]
            dispatcher.utter_message(text=plural("step_up.wrong_code_tries_left", left))
            return {names.STEP_UP_CODE: None}
        return {names.STEP_UP_CODE: names.CHECK_FAILED}
