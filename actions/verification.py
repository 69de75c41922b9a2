"""The identity check: collect the account number and a knowledge factor, let the back end decide.

A date of birth is sent to the back end once. A postcode is handed to the back end to hold (it
judges nothing then), and the bot always asks next for the total of the latest invoice; only the
amount's answer says whether both matched, as one attempt, so a right and a wrong postcode get
the same reply. Nothing the customer answers is put in a slot or a log: the redacting tracker
store (addons/) removes the answer's text while identity_check or invoice_amount_check is asked.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import DomainDict, GuardedAction
from actions.billing_client import (
    BackendUnavailable,
    BillingClient,
    BillingClientError,
    InvalidRequest,
    TooManyRequests,
    VerificationResult,
    shared_client,
)
from actions.form_outcome import ReturnsOutcomeSlots
from actions.identity_input import (
    find_account_number,
    find_invoice_amount,
    find_knowledge_factor,
    parse_date,
)
from actions.speech import plural, say, text

logger = logging.getLogger(__name__)


# Catalogue keys (i18n/locales/*/LC_MESSAGES/bot.po).
ASK_ACCOUNT_NUMBER = "verification.ask_account_number"
ASK_IDENTITY_CHECK = "verification.ask_identity_check"
ACCOUNT_NUMBER_HINT = "verification.account_number_hint"
FACTOR_HINT = "verification.factor_hint"
# After every postcode, right or wrong: whether it matched is said only after the amount.
ASK_INVOICE_AMOUNT = "verification.ask_invoice_amount"
AMOUNT_HINT = "verification.amount_hint"


def failed_attempt_message(attempts_left: int | None) -> str:
    if attempts_left:
        return plural("verification.no_match_attempts_left", attempts_left)
    return text("verification.no_match")


def client_address(tracker: Tracker) -> str | None:
    """The customer's network address, if the channel passed one in the message metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    address = metadata.get("client_address") if isinstance(metadata, dict) else None
    return str(address) if address else None


class ValidateVerificationForm(ReturnsOutcomeSlots):
    outcome_slots = names.VERIFICATION_OUTCOME_SLOTS

    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "validate_verification_form"

    def today(self) -> date:
        return date.today()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (
            tracker.get_slot(names.REQUESTED_SLOT) is None
            and tracker.get_slot(names.IDENTITY_CHECK) == names.CHECK_POSTCODE_HELD
        ):
            # A check left after the postcode starts again: the back end's hold has lapsed.
            tracker.slots[names.IDENTITY_CHECK] = None
            return [
                SlotSet(names.IDENTITY_CHECK, None),
                *await super().run(dispatcher, tracker, domain),
            ]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The invoice amount is asked only after a postcode."""
        if tracker.get_slot(names.IDENTITY_CHECK) == names.CHECK_POSTCODE_HELD:
            return domain_slots
        return [slot for slot in domain_slots if slot != names.INVOICE_AMOUNT_CHECK]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always named here: rasa-sdk would leave it to Rasa when no slot was dropped."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        return SlotSet(names.REQUESTED_SLOT, missing)

    async def extract_account_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.ACCOUNT_NUMBER:
            return account_number_kept(tracker)
        number = find_account_number(tracker.latest_message.get("text") or "")
        if number:
            return {names.ACCOUNT_NUMBER: number}
        if latest_intent(tracker) == names.PROVIDE_ACCOUNT_NUMBER:
            say(dispatcher, ACCOUNT_NUMBER_HINT)
            return {names.ACCOUNT_NUMBER: None}
        return {}

    def validate_account_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = find_account_number(str(value or ""))
        if number is None:
            if value is not None:
                say(dispatcher, ACCOUNT_NUMBER_HINT)
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
                say(dispatcher, FACTOR_HINT)
                return {names.IDENTITY_CHECK: None}
            return {}  # something else: let the dialogue handle the digression
        if factor.kind == "date_of_birth":
            return await self._check(dispatcher, tracker, "date_of_birth", factor.value)
        return await self._hold_postcode(tracker, factor.value)

    async def extract_invoice_amount_check(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.INVOICE_AMOUNT_CHECK:
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = latest_intent(tracker)
        if not (intent in ANSWER_INTENTS or is_short(tracker)):
            return {}  # a question or a digression, not an answer
        birth_date = parse_date(text, today=self.today())
        if birth_date is not None:  # the customer chose the date of birth after all
            return await self._check(dispatcher, tracker, "date_of_birth", birth_date.isoformat())
        amount = find_invoice_amount(text)
        if amount is None:
            say(dispatcher, AMOUNT_HINT)
            return {names.INVOICE_AMOUNT_CHECK: None}
        return await self._check(dispatcher, tracker, "invoice_amount", amount)

    async def _hold_postcode(self, tracker: Tracker, postcode: str) -> dict[str, Any]:
        client = self._client or shared_client()
        log = {"conversation_id": tracker.sender_id}
        try:
            await client.hold_postcode(
                tracker.sender_id, tracker.get_slot(names.ACCOUNT_NUMBER), postcode
            )
        except BillingClientError as error:
            logger.warning("verification.hold_failed", extra={**log, "error": type(error).__name__})
            return {names.IDENTITY_CHECK: names.CHECK_UNAVAILABLE}
        logger.info("verification.postcode_held", extra=log)
        return {names.IDENTITY_CHECK: names.CHECK_POSTCODE_HELD}

    async def _check(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        factor: Any,
        value: str,
    ) -> dict[str, Any]:
        """Send the answer to the back end; the slots its verdict sets (the amount slot too)."""
        client = self._client or shared_client()
        account_number = tracker.get_slot(names.ACCOUNT_NUMBER)
        log = {"conversation_id": tracker.sender_id, "factor": factor}
        try:
            result = await client.verify(
                tracker.sender_id, account_number, factor, value, client_address(tracker)
            )
        except InvalidRequest:
            # Not counted by the back end (e.g. an impossible date): the reply of a wrong answer.
            logger.info("verification.invalid_answer", extra=log)
            dispatcher.utter_message(text=failed_attempt_message(None))
            return outcome(None)
        except TooManyRequests:
            logger.info("verification.throttled", extra=log)
            return outcome(names.CHECK_LOCKED)
        except BillingClientError as error:
            if not isinstance(error, BackendUnavailable):
                logger.warning("verification.refused", extra={**log, "error": type(error).__name__})
            else:
                logger.warning("verification.backend_unavailable", extra=log)
            return outcome(names.CHECK_UNAVAILABLE)
        logger.info("verification.answered", extra={**log, "status": result.status})
        return self._verdict(dispatcher, result, account_number)

    @staticmethod
    def _verdict(
        dispatcher: CollectingDispatcher, result: VerificationResult, account_number: str
    ) -> dict[str, Any]:
        if result.status == "verified":
            return {
                **outcome(names.CHECK_PASSED),
                names.VERIFIED: True,
                names.VERIFIED_ACCOUNT_NUMBER: result.account_number or account_number,
                names.CUSTOMER_FIRST_NAME: result.first_name,
            }
        if result.locked:
            return outcome(names.CHECK_LOCKED)
        dispatcher.utter_message(text=failed_attempt_message(result.attempts_left))
        return outcome(None)


def outcome(check: str | None) -> dict[str, Any]:
    """The identity check's result; the amount slot is emptied for the next check."""
    return {names.IDENTITY_CHECK: check, names.INVOICE_AMOUNT_CHECK: None}


def account_number_kept(tracker: Tracker) -> dict[str, Any]:
    """A 6-digit number typed while the form asks for the postcode or the amount is no new
    account number: Rasa's entity mapping sets the slot anyway, so the one given before is put
    back (a number given with the first question, before anything is asked, stands)."""
    if tracker.get_slot(names.REQUESTED_SLOT) is None:
        return {}
    before = account_number_before_latest_message(tracker)
    if before is None or before == tracker.get_slot(names.ACCOUNT_NUMBER):
        return {}
    return {names.ACCOUNT_NUMBER: before}


def account_number_before_latest_message(tracker: Tracker) -> str | None:
    value: str | None = None
    latest_user = max(
        (i for i, event in enumerate(tracker.events) if event.get("event") == "user"), default=0
    )
    for event in tracker.events[:latest_user]:
        if event.get("event") == "session_started":
            value = None
        elif event.get("event") == "slot" and event.get("name") == names.ACCOUNT_NUMBER:
            value = event.get("value")
    return value


# Intents a bare answer to the form's question may be classified as.
ANSWER_INTENTS = frozenset({names.PROVIDE_VERIFICATION_INFO, names.PROVIDE_ACCOUNT_NUMBER})


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def is_short(tracker: Tracker) -> bool:
    """A bare answer like '1000' or 'postcode 1000', not a sentence that holds a number."""
    return len((tracker.latest_message.get("text") or "").split()) <= 3


class ActionAskAccountNumber(GuardedAction):
    def name(self) -> str:
        return "action_ask_account_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, ASK_ACCOUNT_NUMBER)
        return []


class ActionAskIdentityCheck(GuardedAction):
    def name(self) -> str:
        return "action_ask_identity_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, ASK_IDENTITY_CHECK)
        return []


class ActionAskInvoiceAmountCheck(GuardedAction):
    def name(self) -> str:
        return "action_ask_invoice_amount_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, ASK_INVOICE_AMOUNT)
        return []
