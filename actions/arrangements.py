"""Payment arrangements: move the due date or split the balance into monthly payments.

What is possible, the dates and the amounts come from the back end (`/arrangement-options`,
`/arrangements`); the bot offers the choices as buttons, proposes one, and after a yes and a
one-time code `action_execute_pending_operation` sets it up with `set_up_arrangement`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.account import AccountAction
from actions.answers import CustomerRequest
from actions.billing_client import JSON, BillingClient, Refused
from actions.formatting import day, money
from actions.keys import idempotency_key
from actions.proposals import Operation, propose

EXTEND, SPLIT = "extend_due_date", "split"
SUGGESTED_DAYS = (7,)  # offered as a button besides the longest extension allowed
PAY_OR_PERSON_BUTTONS = [
    {"title": "Send me a payment link", "payload": f"/{names.PAY_BILL}"},
    {"title": "Talk to a person", "payload": f"/{names.TALK_TO_HUMAN}"},
]
REFUSALS = {
    "already_pending": "You already have an active payment arrangement, so I can't set up another"
    " one. A person from our billing team can look at it with you.",
    "nothing_owed": "You don't owe anything at the moment, so there's nothing to arrange.",
    "invalid_request": "That arrangement isn't possible for your account any more, so nothing has"
    " changed. Ask me again and I'll show you what I can do.",
}

_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "ten": 10, "fourteen": 14, "half": 2, "halves": 2}  # fmt: skip
_COUNT = r"(\d{1,3}|an?|one|two|three|four|five|six|seven|ten|fourteen)"
_PERIOD = re.compile(rf"\b{_COUNT}[\s-]*(days?|weeks?|wks?)\b")
_PARTS = r"(\d{1,2}|two|three|four|five|six)"
_SPLIT = re.compile(
    rf"\b{_PARTS}\s*(instal+ments?|installments?|parts?|payments?|rates?|chunks?|pieces?)\b"
    rf"|\b(?:in|into|over)\s+{_PARTS}(?:\s+months)?\b"
    r"|\b(half|halves)\b"
)


@dataclass(frozen=True)
class Choice:
    """One arrangement: the due date moved by `count` days, or the balance split in `count`."""

    kind: str
    count: int

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.count}"

    @classmethod
    def from_ref(cls, ref: str | None) -> Choice | None:
        kind, _, count = (ref or "").partition(":")
        if kind not in (EXTEND, SPLIT) or not count.isdigit():
            return None
        return cls(kind, int(count))

    def body(self) -> JSON:
        if self.kind == EXTEND:
            return {"kind": EXTEND, "days": self.count}
        return {"kind": SPLIT, "instalments": self.count}

    def title(self) -> str:
        if self.kind == EXTEND:
            return f"Move the due date by {self.count} days"
        return f"Split into {self.count} monthly payments"

    def button(self) -> dict[str, str]:
        entity = f'{{"{names.OPTION}": "{self.ref}"}}'
        return {"title": self.title(), "payload": f"/{names.ASK_PAYMENT_ARRANGEMENT}{entity}"}


def requested_choice(option: str | None, text: str) -> Choice | None:
    """The arrangement the customer asked for by button or in words ("split it in two"), if any."""
    if option:
        return Choice.from_ref(option)
    lowered = text.lower()
    if "fortnight" in lowered:
        return Choice(EXTEND, 14)
    period = _PERIOD.search(lowered)
    if period:
        unit = 7 if period.group(2).startswith("w") else 1
        return Choice(EXTEND, _number(period.group(1)) * unit)
    split = _SPLIT.search(lowered)
    if split:
        return Choice(SPLIT, _number(next(g for g in split.groups() if g)))
    return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


def choices(options: JSON) -> list[Choice]:
    """The buttons for what the back end allows: a week and the longest move, every split."""
    found: list[Choice] = []
    for option in options.get("options") or []:
        if option["kind"] == EXTEND and option.get("max_days"):
            longest = int(option["max_days"])
            days = sorted({d for d in SUGGESTED_DAYS if d < longest} | {longest})
            found += [Choice(EXTEND, d) for d in days]
        elif option["kind"] == SPLIT:
            found += [Choice(SPLIT, int(n)) for n in option.get("instalments") or []]
    return found


def allowed(choice: Choice, options: JSON) -> bool:
    for option in options.get("options") or []:
        if option["kind"] != choice.kind:
            continue
        if choice.kind == EXTEND and 1 <= choice.count <= int(option.get("max_days") or 0):
            return True
        if choice.kind == SPLIT and choice.count in (option.get("instalments") or []):
            return True
    return False


def limits_text(options: JSON) -> str:
    parts = []
    for option in options.get("options") or []:
        if option["kind"] == EXTEND and option.get("max_days"):
            parts.append(f"move your due date by up to {option['max_days']} days")
        elif option["kind"] == SPLIT and option.get("instalments"):
            counts = " or ".join(str(n) for n in option["instalments"])
            parts.append(f"split the balance into {counts} monthly payments")
    return f"I can {', or '.join(parts)}."


def proposal_text(choice: Choice, options: JSON, quote: JSON) -> str:
    """Exactly what would change: the back end's quote, every date and amount."""
    currency = quote.get("currency", "EUR")
    balance = money(quote["total"], currency)
    instalments = quote["instalments"]
    if choice.kind == EXTEND:
        return (
            f"Here's the change: the whole {balance} would be due on"
            f" {day(instalments[0]['due_date'])} instead of {day(str(options['base_date']))}."
            " Nothing else changes. Shall I set this up?"
        )
    lines = "\n".join(
        f"• {day(item['due_date'])}: {money(item['amount'], currency)}" for item in instalments
    )
    return (
        f"Here's the change: your balance of {balance} would be paid in {len(instalments)}"
        f" monthly payments:\n{lines}\nShall I set this up?"
    )


class ActionOfferPaymentArrangement(AccountAction):
    """Paying later: the back end's options as buttons, then the one chosen proposed for a yes."""

    def name(self) -> str:
        return names.ACTION_OFFER_PAYMENT_ARRANGEMENT

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        options = await self.client.get(
            tracker.sender_id, self.account(tracker), "/arrangement-options"
        )
        if not options.get("eligible"):
            not_eligible(dispatcher, options)
            return []
        wanted = requested_choice(request.entity(names.OPTION), request.text)
        if wanted is not None and allowed(wanted, options):
            quote = await self.client.post(
                tracker.sender_id,
                self.account(tracker),
                "/arrangements/quote",
                wanted.body(),
                idempotency_key(tracker, f"arrangement-quote|{wanted.ref}"),
            )
            operation = Operation("arrangement", wanted.ref)
            return propose(dispatcher, proposal_text(wanted, options, quote), operation)
        buttons = [choice.button() for choice in choices(options)]
        if wanted is not None:
            text = f"I can't set up exactly that. {limits_text(options)} What would suit you?"
        else:
            balance = money(options["balance"], options.get("currency", "EUR"))
            text = (
                f"You owe {balance}, due on {day(str(options['base_date']))}."
                f" {limits_text(options)} What would suit you?"
            )
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def not_eligible(dispatcher: CollectingDispatcher, options: JSON) -> None:
    if Decimal(str(options.get("balance") or "0")) <= 0:
        dispatcher.utter_message(text=REFUSALS["nothing_owed"])
        return
    dispatcher.utter_message(
        text=f"I can't set up a payment arrangement right now: {options['reason']}. You can pay"
        " with a secure link, or a person from our billing team can look at it with you.",
        buttons=PAY_OR_PERSON_BUTTONS,
    )


async def set_up_arrangement(
    client: BillingClient, conversation: str, account: str, ref: str, key: str
) -> str:
    """Set up the confirmed arrangement; the answer is the schedule the back end made."""
    choice = Choice.from_ref(ref)
    if choice is None:
        return REFUSALS["invalid_request"]
    try:
        done = await client.post(conversation, account, "/arrangements", choice.body(), key)
    except Refused as refusal:
        if refusal.code not in REFUSALS:
            raise
        return REFUSALS[refusal.code]
    return schedule_text(done)


def schedule_text(arrangement: JSON) -> str:
    currency = arrangement.get("currency", "EUR")
    instalments = arrangement["instalments"]
    if arrangement["kind"] == EXTEND and len(instalments) == 1:
        return (
            f"Done: your due date has moved. Please pay {money(arrangement['total'], currency)}"
            f" by {day(instalments[0]['due_date'])}."
        )
    lines = "\n".join(
        f"• {day(item['due_date'])}: {money(item['amount'], currency)}" for item in instalments
    )
    return (
        f"Done: your payment arrangement is set up. You'll pay"
        f" {money(arrangement['total'], currency)} in {len(instalments)} monthly payments:\n{lines}"
    )
