from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from tests.actions.fake_backend import FakeBackend

VERIFIED_SLOTS = {
    "verified": True,
    "verified_account_number": "100001",
    "customer_first_name": "Ana",
    "identity_check": "passed",
    "account_number": "100001",
}


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
