from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import AccountAction
from tests.actions.fake_backend import FakeBackend

VERIFIED_SLOTS = {
    "verified": True,
    "verified_account_number": "100001",
    "customer_first_name": "Ana",
    "identity_check": "passed",
    "account_number": "100001",
}

MARKO_SLOTS = {
    **VERIFIED_SLOTS,
    "verified_account_number": "100002",
    "customer_first_name": "Marko",
    "account_number": "100002",
}
EVA_SLOTS = {
    **VERIFIED_SLOTS,
    "verified_account_number": "100003",
    "customer_first_name": "Eva",
    "account_number": "100003",
}
TODAY = date(2026, 11, 27)
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
Reply = tuple[str, list[dict[str, str]]]


def make_tracker(
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "conv-1",
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
    }
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {"verified": False, "verification_locked": False, **(slots or {})},
            "latest_message": message,
            "events": events
            if events is not None
            else [{"event": "user", "text": text, "parse_data": message}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(verified_conversations={"conv-1"})


async def run_action(
    action: Action, tracker: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[Reply]]:
    """The events an action returns and what the customer sees: (text, buttons) per bubble."""
    if isinstance(action, AccountAction):
        action.today = lambda: TODAY  # type: ignore[method-assign]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain or {})
    return events, [(m["text"], m["buttons"]) for m in dispatcher.messages]


def expected_key(conversation: str, operation: str) -> str:
    """The Idempotency-Key the bot derives for a once-per-conversation write (actions/keys.py)."""
    return hashlib.sha256(f"{conversation}|{operation}".encode()).hexdigest()[:40]


# What an action returns once a proposal is settled (done, declined or refused).
SETTLED = [
    SlotSet("pending_operation", None),
    SlotSet("awaiting_confirmation", False),
    SlotSet("step_up_channel", None),
    SlotSet("step_up_code", None),
]


def code_passed(contact: str) -> dict[str, Any]:
    """The slots after the step-up form confirmed a one-time code sent to `contact`."""
    return {"step_up_channel": contact, "step_up_code": "passed", "stepped_up": True}
