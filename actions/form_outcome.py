"""rasa-sdk returns only the form's required slots from a validation action; some of our forms also
set outcome slots while extracting (verified, stepped_up). This mixin returns those too."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.base import DomainDict, GuardedAction, point_out_hidden_card_number


class ReturnsOutcomeSlots(GuardedAction, FormValidationAction, ABC):
    """Adds a SlotSet for every slot in `outcome_slots` that the run changed and did not return."""

    outcome_slots: tuple[str, ...] = ()

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        point_out_hidden_card_number(dispatcher, tracker)
        before = {slot: tracker.get_slot(slot) for slot in self.outcome_slots}
        events = await super().run(dispatcher, tracker, domain)
        returned = {event.get("name") for event in events}
        for slot, value in before.items():
            if tracker.get_slot(slot) != value and slot not in returned:
                events.append(SlotSet(slot, tracker.get_slot(slot)))
        return events
