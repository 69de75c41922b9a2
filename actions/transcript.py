"""What an agent reads when a conversation is handed over: intents, a summary, the transcript.

The transcript comes from the tracker the action was sent, which the tracker store has not yet
redacted for this turn, so it is redacted here the same way (privacy.masking): answers to the
identity check or the one-time code are removed whole, dates and card numbers masked. The
customer's latest message is left out: the event broker delivers it with the bot's answer once the
turn is saved, and the ticket exists by then.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from actions import names
from actions.intents import ACCOUNT_INTENTS
from privacy.masking import SECRET_ANSWER_SLOTS, VERIFICATION_ANSWER_MASK, mask

MAX_MESSAGES = 40
MAX_INTENTS = 20
MAX_CHARACTERS = 1000

INTENT_PHRASES = {intent.name: intent.phrase for intent in ACCOUNT_INTENTS}
REASON_PHRASES = {
    "customer_request": "Customer asked for a person.",
    "repeated_fallback": "The bot did not understand two messages in a row.",
    "verification_locked": "Identity check locked after failed attempts.",
    "beyond_authority": "Request beyond the bot's authority.",
    "upset_customer": "Customer is upset.",
}


def user_intents(tracker: Tracker) -> list[str]:
    """The intents of the customer's messages, in order, without repeats in a row."""
    intents: list[str] = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        name = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if name and (not intents or intents[-1] != name):
            intents.append(name)
    return intents[-MAX_INTENTS:]


COMPLAINT_INTENTS = frozenset({"dispute_charge", "bill_higher_than_usual", "express_frustration"})
REPEATED_COMPLAINTS = 3  # this many complaints in one conversation: the customer is upset


def complaints(tracker: Tracker) -> int:
    """How many of the customer's messages so far complained about the bill."""
    return sum(
        1
        for event in tracker.events
        if event.get("event") == "user"
        and (event.get("parse_data") or {}).get("intent", {}).get("name") in COMPLAINT_INTENTS
    )


def conversation_summary(tracker: Tracker, reason: str) -> str:
    """One or two sentences, no personal data: what was asked, verification, why a person."""
    asked = [INTENT_PHRASES[i] for i in user_intents(tracker) if i in INTENT_PHRASES]
    parts = [REASON_PHRASES.get(reason, "Handed over.")]
    topics = list(dict.fromkeys(asked))
    if topics:
        parts.append("Asked about " + ", ".join(topics) + ".")
    parts.append("Verified." if tracker.get_slot(names.VERIFIED) else "Not verified.")
    return " ".join(parts)


def _at(timestamp: Any) -> str | None:
    if not isinstance(timestamp, (int, float)):
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def redacted_transcript(tracker: Tracker) -> list[dict[str, Any]]:
    """The last customer and bot messages before this one, redacted, oldest first."""
    events = list(tracker.events)
    latest_user = max(
        (i for i, event in enumerate(events) if event.get("event") == "user"), default=len(events)
    )
    lines: list[dict[str, Any]] = []
    requested_slot: Any = None
    for event in events[:latest_user]:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == names.REQUESTED_SLOT:
            requested_slot = event.get("value")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        text = str(event["text"])[:MAX_CHARACTERS]
        if kind == "user":
            secret = requested_slot in SECRET_ANSWER_SLOTS
            text = VERIFICATION_ANSWER_MASK if secret else mask(text)
        lines.append(
            {
                "sender": "customer" if kind == "user" else "bot",
                "text": text,
                "at": _at(event.get("timestamp")),
            }
        )
    return lines[-MAX_MESSAGES:]
