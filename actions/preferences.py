"""Billing preferences: automatic payment by direct debit, and e-mail or paper invoices.

The settings live in the back end (`/billing-preferences`); a change is proposed for a yes and,
after a one-time code, `action_execute_pending_operation` saves it with `save_preferences`.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.account import AccountAction
from actions.answers import CustomerRequest
from actions.billing_client import JSON, BillingClient
from actions.keys import idempotency_key
from actions.proposals import Operation, propose
from actions.speech import button, say, text

AUTOPAY, E_BILLING, PAPER = "autopay", "e_billing", "paper_billing"
SETTINGS = (AUTOPAY, E_BILLING)


def _key(kind: str, name: str, value: bool) -> str:
    """The catalogue key of a setting's words: "preferences.state.autopay.on"."""
    return f"preferences.{kind}.{name}.{'on' if value else 'off'}"


# Words for when the NLU found no entity (the entities and their synonyms come first).
_PREFERENCE_WORDS = (
    (
        AUTOPAY,
        r"direct[\s-]?debit|auto[\s-]?pay\w*|automatic(ally)? pay\w*|pay\w* automatically"
        r"|standing order|sepa",
    ),
    (
        E_BILLING,
        r"e-?bill\w*|e-?invoice\w*|paperless|electronic|e-?mail(ed)? (bill|invoice)s?"
        r"|by e-?mail",
    ),
    (PAPER, r"paper|printed|by post|in the post"),
)
_OFF_WORDS = (
    r"off|stop|cancel\w*|disable|deactivate|no more|(don'?t|do not|no longer) want|opt out"
    r"|unsubscribe|remove|end"
)
_ON_WORDS = (
    r"on|activate|enable|start|set ?up|sign (me )?up|(switch|change|move)( \w+){0,3} to|go|want"
    r"|prefer|rather|use"
)
_STATE_QUESTION = re.compile(r"^\s*(is|are|am|do|does|have|has|what|which)\b")


def requested_change(request: CustomerRequest) -> tuple[str | None, bool | None]:
    """Which setting the customer means and whether they want it on (None: not said).

    An entity the NLU found and mapped to a known value decides; otherwise the words do (a span
    like "automatic" or "switched on" that no synonym mapped counts as not found).
    """
    text = request.text.lower()
    preference = request.entity(names.PREFERENCE)
    if preference not in (AUTOPAY, E_BILLING, PAPER):
        preference = next(
            (name for name, words in _PREFERENCE_WORDS if re.search(rf"\b({words})\b", text)), None
        )
    switch = request.entity(names.SWITCH)
    if switch not in ("on", "off"):
        switch = None
        if re.search(rf"\b({_OFF_WORDS})\b", text):
            switch = "off"
        elif re.search(rf"\b({_ON_WORDS})\b", text):
            switch = "on"
    value = None if switch is None else switch == "on"
    if preference == PAPER:  # paper invoices on = e-mail invoices off
        return E_BILLING, None if value is None else not value
    return preference, value


def encode(settings: JSON) -> str:
    """{"autopay": False, "e_billing": True} -> "autopay=off,e_billing=on"."""
    return ",".join(f"{name}={'on' if settings[name] else 'off'}" for name in SETTINGS)


def decode(ref: str) -> JSON | None:
    pairs = dict(item.partition("=")[::2] for item in ref.split(","))
    if set(pairs) != set(SETTINGS) or not set(pairs.values()) <= {"on", "off"}:
        return None
    return {name: pairs[name] == "on" for name in SETTINGS}


def state_text(settings: JSON, shown: tuple[str, ...] = SETTINGS) -> str:
    return " ".join(text(_key("state", name, bool(settings[name]))) for name in shown)


def toggle_button(name: str, value: bool) -> dict[str, str]:
    switch = "on" if value else "off"
    entities = f'{{"{names.PREFERENCE}": "{name}", "{names.SWITCH}": "{switch}"}}'
    payload = f"/{names.SET_BILLING_PREFERENCES}{entities}"
    return button(_key("button", name, value), payload)


class ActionChangeBillingPreferences(AccountAction):
    """Says the current settings; a change the customer asks for is proposed for a yes."""

    def name(self) -> str:
        return names.ACTION_CHANGE_BILLING_PREFERENCES

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        current = await self.client.get(
            tracker.sender_id, self.account(tracker), "/billing-preferences"
        )
        setting, value = requested_change(request)
        asks = bool(_STATE_QUESTION.match(request.text))
        if setting is not None and value is not None and not asks:
            if bool(current[setting]) == value:
                say(
                    dispatcher,
                    "preferences.nothing_to_change",
                    state=text(_key("state", setting, value)),
                )
                return []
            wanted = {**{name: bool(current[name]) for name in SETTINGS}, setting: value}
            # The proposing turn makes the write unique: turning autopay off, on and off again
            # in one conversation must not replay the first answer.
            nonce = idempotency_key(tracker, "preferences")[:12]
            operation = Operation("preferences", encode(wanted), nonce)
            question = text(_key("question", setting, value))
            return propose(dispatcher, question, operation)
        shown = (setting,) if setting else SETTINGS
        dispatcher.utter_message(
            text=state_text(current, shown),
            buttons=[toggle_button(name, not current[name]) for name in shown],
        )
        return []


async def save_preferences(
    client: BillingClient, conversation: str, account: str, ref: str, key: str
) -> str:
    """Save the confirmed settings; the answer is what the back end now has in force."""
    wanted = decode(ref)
    if wanted is None:
        return text("preferences.unclear")
    done = await client.put(conversation, account, "/billing-preferences", wanted, key)
    return text("preferences.done", state=state_text(done))
