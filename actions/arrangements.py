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
from actions.speech import Button, button, plural, say, text

EXTEND, SPLIT = "extend_due_date", "split"
SUGGESTED_DAYS = (7,)  # offered as a button besides the longest extension allowed
REFUSALS = {
    "already_pending": "arrangement.already_pending",
    "nothing_owed": "arrangement.nothing_owed",
    "invalid_request": "arrangement.invalid_request",
}


def pay_or_person_buttons() -> list[Button]:
    return [
        button("arrangement.button.payment_link", f"/{names.PAY_BILL}"),
        button("button.talk_to_person", f"/{names.TALK_TO_HUMAN}"),
    ]


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
            return plural("arrangement.button.extend", self.count)
        return plural("arrangement.button.split", self.count)

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
    """What the back end allows, in words: "I can move your due date by up to 14 days, or ..."."""
    parts = []
    for option in options.get("options") or []:
        if option["kind"] == EXTEND and option.get("max_days"):
            parts.append(plural("arrangement.limit.extend", int(option["max_days"])))
        elif option["kind"] == SPLIT and option.get("instalments"):
            counts = [str(n) for n in option["instalments"]]
            listed = counts[0]
            if len(counts) > 1:
                listed = text("list.or", first=", ".join(counts[:-1]), second=counts[-1])
            parts.append(plural("arrangement.limit.split", int(counts[-1]), counts=listed))
    if len(parts) >= 2:
        return text("arrangement.limits.two", first=parts[0], second=", ".join(parts[1:]))
    return text("arrangement.limits.one", option=parts[0] if parts else "")


def proposal_text(choice: Choice, options: JSON, quote: JSON) -> str:
    """Exactly what would change: the back end's quote, every date and amount."""
    currency = quote.get("currency", "EUR")
    balance = money(quote["total"], currency)
    instalments = quote["instalments"]
    if choice.kind == EXTEND:
        return text(
            "arrangement.proposal.extend",
            balance=balance,
            due=day(instalments[0]["due_date"]),
            before=day(str(options["base_date"])),
        )
    return plural(
        "arrangement.proposal.split",
        len(instalments),
        balance=balance,
        lines=instalment_lines(instalments, currency),
    )


def instalment_lines(instalments: list[JSON], currency: str) -> str:
    return "\n".join(
        text(
            "arrangement.instalment",
            due=day(item["due_date"]),
            amount=money(item["amount"], currency),
        )
        for item in instalments
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
            say(dispatcher, "arrangement.not_exactly", buttons=buttons, limits=limits_text(options))
        else:
            balance = money(options["balance"], options.get("currency", "EUR"))
            say(
                dispatcher,
                "arrangement.choices",
                buttons=buttons,
                balance=balance,
                due=day(str(options["base_date"])),
                limits=limits_text(options),
            )
        return []


def not_eligible(dispatcher: CollectingDispatcher, options: JSON) -> None:
    if Decimal(str(options.get("balance") or "0")) <= 0:
        say(dispatcher, REFUSALS["nothing_owed"])
        return
    say(
        dispatcher,
        "arrangement.not_eligible",
        buttons=pay_or_person_buttons(),
        reason=options["reason"],
    )


async def set_up_arrangement(
    client: BillingClient, conversation: str, account: str, ref: str, key: str
) -> str:
    """Set up the confirmed arrangement; the answer is the schedule the back end made."""
    choice = Choice.from_ref(ref)
    if choice is None:
        return text(REFUSALS["invalid_request"])
    try:
        done = await client.post(conversation, account, "/arrangements", choice.body(), key)
    except Refused as refusal:
        if refusal.code not in REFUSALS:
            raise
        return text(REFUSALS[refusal.code])
    return schedule_text(done)


def schedule_text(arrangement: JSON) -> str:
    currency = arrangement.get("currency", "EUR")
    instalments = arrangement["instalments"]
    if arrangement["kind"] == EXTEND and len(instalments) == 1:
        return text(
            "arrangement.done.extend",
            total=money(arrangement["total"], currency),
            due=day(instalments[0]["due_date"]),
        )
    return plural(
        "arrangement.done.split",
        len(instalments),
        total=money(arrangement["total"], currency),
        lines=instalment_lines(instalments, currency),
    )
