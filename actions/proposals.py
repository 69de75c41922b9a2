"""A proposed change waiting for the customer's yes: what it is, how it is asked and forgotten.

The `Operation` is kept in the `pending_operation` slot as text; `actions/operations.py` carries it
out after the yes (and the one-time code where money moves or a contract changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import yes_no_buttons

Kind = Literal["credit", "offer", "plan", "cancel", "dispute", "arrangement", "preferences"]
KINDS: tuple[str, ...] = get_args(Kind)
NOTHING_CHANGED = "operation.nothing_changed"  # catalogue key


@dataclass(frozen=True)
class Operation:
    kind: Kind
    # finding id, offer id, plan code, "invoice_number:line_id", "split:3", "autopay=off,..."
    ref: str = ""
    # e.g. the trigger an offer answered ("cancellation"), or what makes a proposal unique
    context: str = ""

    @property
    def needs_step_up(self) -> bool:
        return self.kind != "dispute"

    def encode(self) -> str:
        return f"{self.kind}|{self.ref}|{self.context}"

    @classmethod
    def decode(cls, text: str | None) -> Operation | None:
        parts = (text or "").split("|")
        if len(parts) != 3 or parts[0] not in KINDS:
            return None
        return cls(parts[0], parts[1], parts[2])  # type: ignore[arg-type]


def propose(
    dispatcher: CollectingDispatcher, question: str, operation: Operation
) -> list[EventType]:
    dispatcher.utter_message(text=question, buttons=yes_no_buttons())
    return [
        SlotSet(names.PENDING_OPERATION, operation.encode()),
        SlotSet(names.AWAITING_CONFIRMATION, True),
    ]


def settled() -> list[EventType]:
    """Forget the proposal and the code outcome (a recent step-up stays valid in `stepped_up`)."""
    return [
        SlotSet(names.PENDING_OPERATION, None),
        SlotSet(names.AWAITING_CONFIRMATION, False),
        SlotSet(names.STEP_UP_CHANNEL, None),
        SlotSet(names.STEP_UP_CODE, None),
    ]
