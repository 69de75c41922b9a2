"""Idempotency keys: the same for a retried request, different for a new request."""

from __future__ import annotations

import hashlib

from rasa_sdk import Tracker


def idempotency_key(tracker: Tracker, operation: str) -> str:
    """Derived from the conversation, the operation and the customer message that asked for it.

    A retry of the same turn sends the same key, so the back end does the write once.
    """
    message = tracker.latest_message or {}
    turn = message.get("message_id") or str(_latest_user_timestamp(tracker))
    raw = f"{tracker.sender_id}|{operation}|{turn}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def operation_key(tracker: Tracker, operation: str) -> str:
    """For writes that must happen at most once per conversation, whatever the turn."""
    return hashlib.sha256(f"{tracker.sender_id}|{operation}".encode()).hexdigest()[:40]


def _latest_user_timestamp(tracker: Tracker) -> float:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return float(event.get("timestamp") or 0)
    return 0.0
