"""An action package whose action always fails: the action server answers 500 and, like every
rasa_sdk action server, echoes the request (the whole tracker) in the reply."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionFail(Action):
    def name(self) -> str:
        return "action_fail"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise RuntimeError("the back end answered something this action did not expect")
