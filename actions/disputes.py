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
from actions.speech import Button, button, say, text

SHOWN = 5  # the newest ones; older disputes are rarely what the customer means
_STATUSES = frozenset({"open", "in_review", "resolved", "rejected"})
NO_DISPUTES = "disputes.none"
DISAGREE = "disputes.disagree"


def open_one_buttons() -> list[Button]:
    return [
        button("disputes.button.charge_looks_wrong", f"/{names.DISPUTE_CHARGE}"),
        button("button.no_thanks", "/deny"),
    ]


def dispute_line(dispute: JSON) -> str:
    updated = day(dispute.get("updated_at"))
    if dispute["status"] in _STATUSES:
        status = text(f"disputes.status.{dispute['status']}", updated=updated)
    else:
        status = dispute["status"].replace("_", " ")
    return text(
        "disputes.line",
        id=dispute["id"],
        description=dispute["line_description"],
        amount=money(dispute["amount"], dispute.get("currency", "EUR")),
        number=dispute["invoice_number"],
        opened=day(dispute.get("created_at")),
        status=status,
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
            say(dispatcher, NO_DISPUTES, buttons=open_one_buttons())
            return []
        amount = parse_amount(request.entity("amount") or "")
        named = [d for d in disputes if amount is not None and parse_amount(d["amount"]) == amount]
        if amount is not None and not named:
            say(dispatcher, "disputes.none_about", amount=money(str(amount)))
        shown = (named or disputes)[:SHOWN]
        heading = text("disputes.heading_one" if len(shown) == 1 else "disputes.heading_many")
        lines = "\n".join(dispute_line(d) for d in shown)
        dispatcher.utter_message(text=f"{heading}\n{lines}")
        if any(d["status"] == "rejected" for d in shown):
            say(dispatcher, DISAGREE)
        return []
