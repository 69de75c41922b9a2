"""The fake back end's newer routes, with state like the back end (docs/api.md).

Bill changes, charges, the review and credits, offers, plans, cancellation, payment links,
disputes and step-up answer for the demo customers in `fake_data`: a write needs an
Idempotency-Key and a replay of the key gets the first answer (`Idempotent-Replayed: true`), a
finding is credited once, an offer answered once, and money moves only after a step-up.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.actions import fake_data
from tests.actions.fake_data import JSON

ACCOUNT_ROUTE = re.compile(r"^/api/v1/accounts/(?P<account>\d{6})(?P<route>/.*)$")
READS = (
    "/invoices/latest/changes",
    "/charges",
    "/findings",
    "/plan-options",
    "/cancellation-terms",
    "/step-up/channels",
)
RULES = ["duplicate_charge", "promo_not_applied", "above_contract_price", "late_fee_paid_on_time",
         "charge_after_cancellation"]  # fmt: skip
VALID_UNTIL = "2026-11-27T10:15:00Z"
STEP_UP_WRITES = re.compile(
    r"^/(findings/\d+/credit|offers/\d+/accept|plan-changes|cancellations|arrangements"
    r"|billing-preferences)$"
)


def _copy(data: Any) -> Any:
    """A default factory: each fake starts from its own copy of the demo data."""
    return lambda: copy.deepcopy(data)


@dataclass
class DemoAccounts:
    """The demo customers' state; change a field to set up a case (`refusals`, `code_answer`...)."""

    stepped_up: set[str] = field(default_factory=set)  # conversations with a live step-up
    code_answer: str | None = None  # force the answer to a code: "expired", "locked"
    refusals: dict[str, str] = field(default_factory=dict)  # route -> 409 error code
    changes: dict[str, JSON] = field(default_factory=_copy(fake_data.CHANGES))
    charges: dict[str, list[JSON]] = field(default_factory=_copy(fake_data.CHARGES))
    findings: dict[str, list[JSON]] = field(default_factory=_copy(fake_data.FINDINGS))
    balances: dict[str, str] = field(default_factory=_copy(fake_data.BALANCES))
    offer_decisions: dict[tuple[str, str], str] = field(
        default_factory=_copy(fake_data.OFFER_DECISIONS)
    )
    offers: dict[str, JSON] = field(default_factory=_copy(fake_data.OFFERS))
    plan_options: dict[str, JSON] = field(default_factory=_copy(fake_data.PLAN_OPTIONS))
    terms: dict[str, JSON] = field(default_factory=_copy(fake_data.CANCELLATION_TERMS))
    codes: dict[str, list[Any]] = field(default_factory=dict)  # conversation -> [code, tries left]
    replies: dict[str, tuple[str, int, JSON]] = field(default_factory=dict)  # key -> first answer
    disputed: set[int] = field(default_factory=set)

    # -- the newer reads -----------------------------------------------------------------

    def _account_read(self, account: str, route: str, params: dict[str, str]) -> httpx.Response:
        if route == "/charges":
            return self._find_charges(account, params)
        answers: dict[str, Any] = {
            "/invoices/latest/changes": self.changes.get(account),
            "/findings": {"findings": self.findings.get(account, [])},
            "/plan-options": self.plan_options.get(account),
            "/cancellation-terms": self.terms.get(account),
            "/step-up/channels": {"channels": fake_data.channels(account)},
        }
        found = answers.get(route)
        return httpx.Response(200, json=found) if found else error(404, "not_found")

    def _find_charges(self, account: str, params: dict[str, str]) -> httpx.Response:
        """Lines of the invoice of `month`, or of the newest 3, matching amount and every word."""
        if "amount" not in params and "text" not in params:
            return error(422, "invalid_request")
        lines = self.charges.get(account, [])
        invoices = list(dict.fromkeys(line["invoice_number"] for line in lines))
        month = params.get("month", "").replace("-", "")
        wanted = [i for i in invoices if i.endswith(month)] if month else invoices[:3]
        words = params.get("text", "").lower().split()

        def matches(line: JSON) -> bool:
            amount = params.get("amount")
            if amount and abs(float(line["amount"])) != float(amount):
                return False
            where = f"{line['description']} {line['explanation']} {line['kind']}".lower()
            return all(word in where.replace("_", " ") for word in words)

        found = [line for line in lines if line["invoice_number"] in wanted and matches(line)]
        return httpx.Response(200, json={"charges": found})

    # -- writes: an Idempotency-Key, replays, step-up ------------------------------------

    def _write(
        self, request: httpx.Request, conversation: str, account: str, route: str
    ) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        if route == "/step-up/verify":  # not idempotent: every answer counts as an attempt
            return self._check_code(conversation, body or {})
        if route == "/plan-changes/quote":  # nothing is written
            return self._quote(account, body or {})
        key = request.headers.get("Idempotency-Key") or ""
        if not 8 <= len(key) <= 255:
            return error(422, "invalid_request")
        fingerprint = json.dumps([request.url.path, conversation, body], sort_keys=True)
        if key in self.replies:
            first, status, answer = self.replies[key]
            if first != fingerprint:
                return error(409, "idempotency_conflict")
            return httpx.Response(status, json=answer, headers={"Idempotent-Replayed": "true"})
        if route in self.refusals:
            return error(409, self.refusals[route])
        if STEP_UP_WRITES.match(route) and conversation not in self.stepped_up:
            return error(403, "step_up_required")
        response = self._apply(conversation, account, route, body or {})
        if response.status_code < 300:
            self.replies[key] = (fingerprint, response.status_code, response.json())
        return response

    def _apply(self, conversation: str, account: str, route: str, body: JSON) -> httpx.Response:
        parts = route.strip("/").split("/")
        if route == "/reviews":
            found = self.findings.get(account, [])
            return ok({"invoices_checked": 3, "rules": RULES, "new_findings": 0, "findings": found})
        if parts[0] == "findings" and parts[-1] == "credit":
            return self._credit(account, int(parts[1]))
        if route == "/offers":
            return self._decide_offer(account, body)
        if parts[0] == "offers":
            return self._answer_offer(account, int(parts[1]), parts[2])
        if route == "/plan-changes":
            quote = self._quote(account, body)
            return ok({**quote.json(), "status": "applied"}) if quote.status_code == 200 else quote
        if route == "/cancellations":
            return self._cancel(account)
        if route == "/payment-links":
            return self._payment_link(account)
        if route == "/disputes":
            return self._dispute(account, body)
        if route == "/step-up/codes":
            return self._send_code(conversation, account, body)
        return error(404, "not_found")

    def _credit(self, account: str, finding_id: int) -> httpx.Response:
        finding = next((f for f in self.findings.get(account, []) if f["id"] == finding_id), None)
        if finding is None:
            return error(404, "not_found")
        if finding["status"] == "credited":
            return error(409, "already_credited")
        finding.update(status="credited", bot_can_credit=False)
        balance = float(self.balances[account]) - float(finding["amount"])
        self.balances[account] = f"{balance:.2f}"
        credit = {
            "id": 5,
            "amount": finding["amount"],
            "currency": finding["currency"],
            "invoice_number": finding["invoice_number"],
            "created_at": fake_data.NOW,
        }
        answer = {"finding_id": finding_id, "status": "credited", "credit": credit}
        return ok({**answer, "balance": self.balances[account]}, 201)

    def _decide_offer(self, account: str, body: JSON) -> httpx.Response:
        trigger = body.get("trigger")
        if trigger not in ("price_complaint", "discount_request", "cancellation"):
            return error(422, "invalid_request")
        decision = self.offer_decisions.get((account, trigger), "not_eligible")
        offer = self.offers[account] if decision == "offer" else None
        tier = "agent" if decision == "needs_human" else None
        answer = {"decision": decision, "offer": offer, "reason": decision, "decision_id": 41,
                  "required_tier": tier, "churn_risk": 0.4}  # fmt: skip
        return ok(answer, 201)

    def _answer_offer(self, account: str, offer_id: int, answer: str) -> httpx.Response:
        offer = self.offers.get(account)
        if offer is None or offer["id"] != offer_id:
            return error(404, "not_found")
        if offer["status"] != "offered":
            return error(409, "offer_unavailable")
        offer["status"] = "accepted" if answer == "accept" else "declined"
        discount = fake_data.DISCOUNT if answer == "accept" else None
        return ok({"offer": offer, "discount": discount})

    def _quote(self, account: str, body: JSON) -> httpx.Response:
        current = self.plan_options[account]["current_plan"]
        plan = fake_data.PLANS.get(body.get("plan_code", ""))
        if plan is None:
            return error(404, "not_found")
        if plan["code"] == current["code"]:
            return error(422, "invalid_request")
        difference = float(plan["monthly_price"]) - float(current["monthly_price"])
        proration = f"{difference * 4 / 30:.2f}"  # 27-30 November, today included
        changes = [
            f"{current['name']} becomes {plan['name']} today",
            f"monthly price {current['monthly_price']} -> {plan['monthly_price']} EUR",
            f"the next invoice changes by {proration} EUR for this month's rest",
        ]
        return ok({"current_plan": current, "new_plan": plan, "effective_date": "2026-11-27",
                   "proration_amount": proration, "new_monthly_price": plan["monthly_price"],
                   "monthly_difference": f"{difference:.2f}", "contract_end_date": "2027-09-30",
                   "changes": changes, "currency": "EUR"})  # fmt: skip

    def _cancel(self, account: str) -> httpx.Response:
        terms = self.terms[account]
        if terms["pending_request"]:
            return error(409, "already_pending")
        terms["pending_request"] = {"id": 7, "status": "requested",
                                    "effective_date": terms["effective_date"],
                                    "early_termination_fee": terms["early_termination_fee"],
                                    "currency": "EUR", "requested_at": fake_data.NOW}  # fmt: skip
        return ok(terms["pending_request"], 201)

    def _payment_link(self, account: str) -> httpx.Response:
        if float(self.balances.get(account, "0")) <= 0:
            return error(409, "nothing_owed")
        return ok({"url": "https://pay.example.com/p/3q2X7kPq", "amount": self.balances[account],
                   "currency": "EUR", "expires_at": "2026-11-29T10:00:00Z"}, 201)  # fmt: skip

    def _dispute(self, account: str, body: JSON) -> httpx.Response:
        line = next(
            (
                c
                for c in self.charges.get(account, [])
                if c["line_id"] == body.get("line_id")
                and c["invoice_number"] == body.get("invoice_number")
            ),
            None,
        )
        if line is None:
            return error(404, "not_found")
        if line["line_id"] in self.disputed:
            return error(409, "already_disputed")
        self.disputed.add(line["line_id"])
        return ok({"id": 12, "status": "open", "invoice_number": line["invoice_number"],
                   "line_id": line["line_id"], "line_description": line["description"],
                   "amount": line["amount"], "currency": "EUR", "reason": body["reason"],
                   "created_at": fake_data.NOW, "updated_at": fake_data.NOW}, 201)  # fmt: skip

    # -- step-up -------------------------------------------------------------------------

    def _send_code(self, conversation: str, account: str, body: JSON) -> httpx.Response:
        channel = next(
            (c for c in fake_data.channels(account) if c["id"] == body.get("channel_id")), None
        )
        if channel is None:
            return error(404, "not_found")
        self.codes[conversation] = [fake_data.CODE, 3]
        return ok({"status": "sent", "channel": channel, "expires_at": "2026-11-27T10:05:00Z"}, 201)

    def _check_code(self, conversation: str, body: JSON) -> httpx.Response:
        code = "".join(char for char in str(body.get("code", "")) if char not in " -")
        if len(code) != 6 or not code.isdigit():
            return error(422, "invalid_request")
        sent = self.codes.get(conversation)
        if self.code_answer or sent is None or sent[1] == 0:
            status = self.code_answer or ("expired" if sent is None else "locked")
            return ok({"status": status, "attempts_left": 0, "valid_until": None})
        if code == sent[0]:
            del self.codes[conversation]
            self.stepped_up.add(conversation)
            return ok({"status": "verified", "attempts_left": None, "valid_until": VALID_UNTIL})
        sent[1] -= 1
        status = "failed" if sent[1] else "locked"
        return ok({"status": status, "attempts_left": sent[1], "valid_until": None})


def error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": code}})


def ok(body: JSON, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)
