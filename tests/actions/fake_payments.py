"""The fake back end's payment arrangements, billing preferences and dispute list (docs/api.md,
"Payments" and "Disputes"), with state like the back end: one active arrangement at a time, and a
dispute opened in the chat shows in the list.

Ana 100001 owes 54.17 EUR due 30 Nov 2026 and may move it by up to 14 days or split it in 2 or 3;
autopay off, e-mail invoices; no disputes.
Marko 100002 owes 48.65 EUR; autopay on, e-mail invoices; a dispute in review and a rejected one.
Eva 100003 owes nothing; autopay on, paper invoices.
"""

from __future__ import annotations

import calendar
import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from tests.actions.fake_accounts import DemoAccounts, error, ok
from tests.actions.fake_data import ANA, EVA, JSON, MARKO

PAYMENT_READS = ("/arrangement-options", "/billing-preferences", "/disputes")
ELIGIBLE = "you can move the due date or split the balance"
ACTIVE = "there is already an active payment arrangement"


def _options(balance: str, base_date: str) -> JSON:
    return {
        "eligible": True,
        "reason": ELIGIBLE,
        "balance": balance,
        "currency": "EUR",
        "base_date": base_date,
        "options": [
            {"kind": "extend_due_date", "max_days": 14, "instalments": None},
            {"kind": "split", "max_days": None, "instalments": [2, 3]},
        ],
    }


ARRANGEMENT_OPTIONS: dict[str, JSON] = {
    ANA: _options("54.17", "2026-11-30"),
    MARKO: _options("48.65", "2026-11-30"),
    EVA: {"eligible": False, "reason": "nothing is owed", "balance": "0.00", "currency": "EUR",
          "base_date": "2026-11-27", "options": []},
}  # fmt: skip
PREFERENCES: dict[str, JSON] = {
    ANA: {"autopay": False, "e_billing": True},
    MARKO: {"autopay": True, "e_billing": True},
    EVA: {"autopay": True, "e_billing": False},
}
MARKO_IN_REVIEW: JSON = {
    "id": 12, "status": "in_review", "invoice_number": "INV-100002-202610", "line_id": 203,
    "line_description": "Roaming pack, October 2026", "amount": "9.99", "currency": "EUR",
    "reason": "customer disputes the 9.99 charge in chat",
    "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-21T10:30:00Z",
}  # fmt: skip
MARKO_REJECTED: JSON = {
    "id": 9, "status": "rejected", "invoice_number": "INV-100002-202609", "line_id": 213,
    "line_description": "VAT 22%", "amount": "6.58", "currency": "EUR",
    "reason": "customer disputes a charge in chat",
    "created_at": "2026-10-05T08:00:00Z", "updated_at": "2026-10-12T14:00:00Z",
}  # fmt: skip
DISPUTES: dict[str, list[JSON]] = {MARKO: [MARKO_IN_REVIEW, MARKO_REJECTED]}


def _copy(data: Any) -> Any:
    return lambda: copy.deepcopy(data)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(options: JSON, body: JSON) -> list[JSON] | None:
    """The instalments the back end would make, or None outside the limits."""
    cents = round(float(options["balance"]) * 100)
    base = date.fromisoformat(options["base_date"])
    if body.get("kind") == "extend_due_date" and 1 <= (body.get("days") or 0) <= 14:
        due = base + timedelta(days=body["days"])
        return [{"number": 1, "due_date": due.isoformat(), "amount": options["balance"]}]
    count = body.get("instalments")
    if body.get("kind") != "split" or count not in (2, 3):
        return None
    share, extra = divmod(cents, count)
    return [
        {
            "number": n + 1,
            "due_date": add_months(base, n).isoformat(),
            "amount": f"{(share + (1 if n < extra else 0)) / 100:.2f}",
        }
        for n in range(count)
    ]


@dataclass
class PaymentAccounts(DemoAccounts):
    arrangement_options: dict[str, JSON] = field(default_factory=_copy(ARRANGEMENT_OPTIONS))
    preferences: dict[str, JSON] = field(default_factory=_copy(PREFERENCES))
    disputes: dict[str, list[JSON]] = field(default_factory=_copy(DISPUTES))
    arrangements: list[JSON] = field(default_factory=list)

    def _account_read(self, account: str, route: str, params: dict[str, str]) -> httpx.Response:
        if route == "/arrangement-options":
            found = self.arrangement_options.get(account)
            return ok(found) if found else error(404, "not_found")
        if route == "/billing-preferences":
            return ok(self.preferences.get(account, {"autopay": False, "e_billing": True}))
        if route == "/disputes":
            return ok({"disputes": self.disputes.get(account, [])})
        return super()._account_read(account, route, params)

    def _apply(self, conversation: str, account: str, route: str, body: JSON) -> httpx.Response:
        if route == "/arrangements":
            return self._arrange(account, body)
        if route == "/arrangements/quote":  # nothing is written
            return self._quote_arrangement(account, body)
        if route == "/billing-preferences":
            if set(body) != {"autopay", "e_billing"}:
                return error(422, "invalid_request")
            self.preferences[account] = dict(body)
            return ok(body)
        response = super()._apply(conversation, account, route, body)
        if route == "/disputes" and response.status_code == 201:
            self.disputes.setdefault(account, []).insert(0, response.json())
        return response

    def _quote_arrangement(self, account: str, body: JSON) -> httpx.Response:
        options = self.arrangement_options[account]
        if not options["eligible"]:
            return error(409, "already_pending" if options["reason"] == ACTIVE else "nothing_owed")
        instalments = schedule(options, body)
        if instalments is None:
            return error(422, "invalid_request")
        quote = {"kind": body["kind"], "total": options["balance"], "currency": "EUR"}
        return ok({**quote, "instalments": instalments})

    def _arrange(self, account: str, body: JSON) -> httpx.Response:
        options = self.arrangement_options[account]
        if not options["eligible"]:
            return error(409, "already_pending" if options["reason"] == ACTIVE else "nothing_owed")
        instalments = schedule(options, body)
        if instalments is None:
            return error(422, "invalid_request")
        arrangement = {
            "id": 3,
            "kind": body["kind"],
            "status": "active",
            "total": options["balance"],
            "currency": "EUR",
            "instalments": instalments,
        }
        self.arrangements.append(arrangement)
        options.update(eligible=False, reason=ACTIVE, options=[])
        return ok(arrangement, 201)
