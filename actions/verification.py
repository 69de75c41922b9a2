"""The identity check: collect the account number and one knowledge factor, let the back end decide.

The date of birth or postcode is read from the message, sent to the back end once and never put in a
slot or a log; the redacting tracker store (addons/) removes the message text before it is stored.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import DomainDict
from actions.billing_client import BackendUnavailable, BillingClient, shared_client
from actions.form_outcome import ReturnsOutcomeSlots
from actions.identity_input import find_account_number, find_knowledge_factor

logger = logging.getLogger(__name__)


ASK_ACCOUNT_NUMBER = (
    "Before I look at your account I need to confirm it's you. What's your account number? "
    "It's the 6-digit number at the top of your invoice."
)
ASK_IDENTITY_CHECK = (
    "To confirm it's you, please tell me your date of birth or the postcode we have on file."
)
ACCOUNT_NUMBER_HINT = (
    "An account number has 6 digits, like 100123. You'll find it at the top of your invoice."
)
FACTOR_HINT = (
    "Please give your full date of birth (for example 14.3.1985) or the 4-digit postcode on file."
)


def failed_attempt_message(attempts_left: int | None) -> str:
    if attempts_left == 1:
        return "Sorry, that doesn't match our records. You have 1 attempt left."
    if attempts_left:
        return f"Sorry, that doesn't match our records. You have {attempts_left} attempts left."
    return "Sorry, that doesn't match our records."


class ValidateVerificationForm(ReturnsOutcomeSlots):
    outcome_slots = names.VERIFICATION_OUTCOME_SLOTS

    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "validate_verification_form"

    def today(self) -> date:
        return date.today()

    async def extract_account_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.ACCOUNT_NUMBER:
            return {}
        number = find_account_number(tracker.latest_message.get("text") or "")
        if number:
            return {names.ACCOUNT_NUMBER: number}
        if latest_intent(tracker) == names.PROVIDE_ACCOUNT_NUMBER:
            dispatcher.utter_message(text=ACCOUNT_NUMBER_HINT)
            return {names.ACCOUNT_NUMBER: None}
        return {}

    def validate_account_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = find_account_number(str(value or ""))
        if number is None:
            if value is not None:
                dispatcher.utter_message(text=ACCOUNT_NUMBER_HINT)
            return {names.ACCOUNT_NUMBER: None}
        return {names.ACCOUNT_NUMBER: number}

    async def extract_identity_check(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.IDENTITY_CHECK:
            return {}
        intent = latest_intent(tracker)
        factor = find_knowledge_factor(
            tracker.latest_message.get("text") or "",
            today=self.today(),
            postcode_expected=intent == names.PROVIDE_VERIFICATION_INFO or is_short(tracker),
        )
        if factor is None:
            if intent == names.PROVIDE_VERIFICATION_INFO:
                dispatcher.utter_message(text=FACTOR_HINT)
                return {names.IDENTITY_CHECK: None}
            return {}  # something else: let the dialogue handle the digression
        client = self._client or shared_client()
        account_number = tracker.get_slot(names.ACCOUNT_NUMBER)
        log = {"conversation_id": tracker.sender_id, "factor": factor.kind}
        try:
            result = await client.verify(
                tracker.sender_id, account_number, factor.kind, factor.value
            )
        except BackendUnavailable:
            logger.warning("verification.backend_unavailable", extra=log)
            return {names.IDENTITY_CHECK: names.CHECK_UNAVAILABLE}
        logger.info("verification.answered", extra={**log, "status": result.status})
        if result.status == "verified":
            return {
                names.IDENTITY_CHECK: names.CHECK_PASSED,
                names.VERIFIED: True,
                names.VERIFIED_ACCOUNT_NUMBER: result.account_number or account_number,
                names.CUSTOMER_FIRST_NAME: result.first_name,
            }
        if result.locked:
            return {names.IDENTITY_CHECK: names.CHECK_LOCKED}
        dispatcher.utter_message(text=failed_attempt_message(result.attempts_left))
        return {names.IDENTITY_CHECK: None}


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def is_short(tracker: Tracker) -> bool:
    """A bare answer like '1000' or 'postcode 1000', not a sentence that holds a number."""
    return len((tracker.latest_message.get("text") or "").split()) <= 3


class ActionAskAccountNumber(Action):
    def name(self) -> str:
        return "action_ask_account_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=ASK_ACCOUNT_NUMBER)
        return []


class ActionAskIdentityCheck(Action):
    def name(self) -> str:
        return "action_ask_identity_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=ASK_IDENTITY_CHECK)
        return []
