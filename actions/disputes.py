"""Where the customer's disputes stand, in plain words (the disputes themselves: the back end)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.account import AccountAction
from actions.answers import CustomerRequest, parse_amount
from actions.billing_client import JSON
from actions.formatting import day, money

SHOWN = 5  # the newest ones; older disputes are rarely what the customer means
STATUS = {
    "open": "open, waiting for a colleague to look at it",
    "in_review": "a colleague is reviewing it now",
    "resolved": "resolved in your favour on {updated}: the charge was corrected",
    "rejected": "closed on {updated}: we checked the charge and it stands",
}
NO_DISPUTES = (
    "You have no disputes on your account. If a charge looks wrong, I can check your bills and"
    " open one for you."
)
OPEN_ONE_BUTTONS = [
    {"title": "A charge looks wrong", "payload": f"/{names.DISPUTE_CHARGE}"},
    {"title": "No, thanks", "payload": "/deny"},
]
DISAGREE = (
    "If you disagree with a decision, a person from our billing team can go through it with you."
)


def dispute_line(dispute: JSON) -> str:
    status = STATUS.get(dispute["status"], dispute["status"].replace("_", " "))
    status = status.format(updated=day(dispute.get("updated_at")))
    return (
        f"• #{dispute['id']} {dispute['line_description']}"
        f" ({money(dispute['amount'], dispute.get('currency', 'EUR'))})"
        f" on invoice {dispute['invoice_number']}, opened {day(dispute.get('created_at'))}:"
        f" {status}."
    )


class ActionTellDisputeStatus(AccountAction):
    def name(self) -> str:
        return names.ACTION_TELL_DISPUTE_STATUS

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        found = await self.client.get(tracker.sender_id, self.account(tracker), "/disputes")
        disputes = list(found.get("disputes") or [])
        if not disputes:
            dispatcher.utter_message(text=NO_DISPUTES, buttons=OPEN_ONE_BUTTONS)
            return []
        amount = parse_amount(request.entity("amount") or "")
        named = [d for d in disputes if amount is not None and parse_amount(d["amount"]) == amount]
        if amount is not None and not named:
            dispatcher.utter_message(
                text=f"I don't see a dispute about a {money(str(amount))} charge. Here are yours:"
            )
        shown = (named or disputes)[:SHOWN]
        heading = "Your dispute:" if len(shown) == 1 else "Your disputes, newest first:"
        lines = "\n".join(dispute_line(d) for d in shown)
        dispatcher.utter_message(text=f"{heading}\n{lines}")
        if any(d["status"] == "rejected" for d in shown):
            dispatcher.utter_message(text=DISAGREE)
        return []
