"""A new conversation session starts unverified, on the back end too."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.billing_client import BillingClient, BillingClientError, shared_client

logger = logging.getLogger(__name__)


class ActionSessionStart(GuardedAction):
    def __init__(self, client: BillingClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            await (self._client or shared_client()).end_verification(tracker.sender_id)
        except BillingClientError:
            # The back end's verified sessions also expire on their own.
            logger.warning(
                "session_start.end_verification_failed",
                extra={"conversation_id": tracker.sender_id},
            )
        return [SessionStarted(), ActionExecuted("action_listen")]

    def failure_events(self, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return [SessionStarted(), ActionExecuted("action_listen")]  # the session starts anyway
