"""A fake billing back end at the HTTP boundary (httpx transport), answering like docs/api.md.

Verification and the account reads answer for Ana; the newer routes come from `DemoAccounts`,
payments and the dispute list from `PaymentAccounts`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from actions.billing_client import BillingClient
from actions.settings import ClientSettings
from tests.actions.fake_accounts import ACCOUNT_ROUTE, READS, error
from tests.actions.fake_payments import PAYMENT_READS, PaymentAccounts

VERIFICATION_HOLD = re.compile(r"/api/v1/verifications/[^/]+/postcode")
ANA_LATEST = {
    "number": "INV-100001-202610",
    "period_start": "2026-10-01",
    "period_end": "2026-10-31",
    "issue_date": "2026-11-01",
    "due_date": "2026-11-30",
    "status": "open",
    "currency": "EUR",
    "subtotal": "44.40",
    "tax": "9.77",
    "total": "54.17",
    "lines": [
        {
            "kind": "plan_charge",
            "description": "Fiber 300, October 2026",
            "quantity": "1",
            "unit_price": "39.90",
            "amount": "39.90",
            "explanation": "Your monthly Fiber 300 plan for 1-31 October 2026.",
        },
        {
            "kind": "usage_overage",
            "description": "Extra data, 3 GB",
            "quantity": "3",
            "unit_price": "1.50",
            "amount": "4.50",
            "explanation": "Extra usage beyond your plan's allowance in October 2026.",
        },
        {
            "kind": "tax",
            "description": "VAT 22%",
            "quantity": "1",
            "unit_price": "9.77",
            "amount": "9.77",
            "explanation": "22% VAT on the charges above.",
        },
    ],
}
# The same invoice as the back end answers `Accept-Language: sl`: the lines' names and
# explanations in Slovenian, the amounts unchanged (tests/bot/test_line_names.py).
_SLOVENIAN_LINES = (
    (
        "Fiber 300, oktober 2026",
        "Mesečna naročnina za paket Fiber 300 za obdobje 1.–31. oktobra 2026.",
    ),
    (
        "Dodatni prenos podatkov, 3 GB",
        "Poraba nad količino, vključeno v vaš paket, za mesec oktober 2026: 3 GB po 1,50 € "
        "za enoto.",
    ),
    ("DDV 22 %", "22 % DDV od zgornjih postavk."),
)
ANA_LATEST_SL = {
    **ANA_LATEST,
    "lines": [
        {**line, "description": description, "explanation": explanation}
        for line, (description, explanation) in zip(
            ANA_LATEST["lines"], _SLOVENIAN_LINES, strict=True
        )
    ],
}
ANA_SEPTEMBER = {
    **ANA_LATEST,
    "number": "INV-100001-202609",
    "period_start": "2026-09-01",
    "total": "36.48",
}


@dataclass(frozen=True)
class Sent:
    """One request as the back end received it."""

    method: str
    path: str
    body: Any
    key: str | None  # the Idempotency-Key header

    @property
    def route(self) -> str:
        """The path below /api/v1/accounts/{acct}, like "/findings/17/credit"."""
        match = ACCOUNT_ROUTE.match(self.path)
        return match["route"] if match else self.path


@dataclass
class FakeBackend(PaymentAccounts):
    """Records requests; `down` makes every request fail to connect, `status` forces a status."""

    down: bool = False
    status: int | None = None
    verification_status: str = "verified"
    attempts_left: int | None = None
    verified_conversations: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)

    def client(self) -> BillingClient:
        return BillingClient(
            ClientSettings(backend_url="http://backend.test"), transport=httpx.MockTransport(self)
        )

    def sent(self) -> list[Sent]:
        return [
            Sent(
                r.method,
                r.url.path,
                json.loads(r.content) if r.content else None,
                r.headers.get("Idempotency-Key"),
            )
            for r in self.requests
        ]

    def writes(self) -> list[Sent]:
        """The POSTs and PUTs to an account that may change something (not the code check or a
        quote)."""
        return [
            s
            for s in self.sent()
            if s.method in ("POST", "PUT")
            and s.route != s.path
            and s.route not in ("/step-up/verify", "/plan-changes/quote", "/arrangements/quote")
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.status is not None:
            return error(self.status, "forced")
        if request.headers.get("Authorization") != "Bearer dev-service-token":
            return error(401, "unauthorized")
        path = request.url.path
        if request.method == "POST" and path == "/api/v1/verifications":
            return self._verify(json.loads(request.content))
        if request.method == "DELETE" and path.startswith("/api/v1/verifications/"):
            return httpx.Response(204)
        if request.method == "PUT" and VERIFICATION_HOLD.fullmatch(path):
            return httpx.Response(204)  # a postcode is held, never judged, for any input
        conversation = request.headers.get("X-Conversation-Id") or ""
        if conversation not in self.verified_conversations:
            return error(403, "not_verified")
        match = ACCOUNT_ROUTE.match(path)
        if match and request.method in ("POST", "PUT"):
            return self._write(request, conversation, match["account"], match["route"])
        if match and match["route"] in (*READS, *PAYMENT_READS):
            return self._account_read(match["account"], match["route"], dict(request.url.params))
        language = request.headers.get("Accept-Language", "en")
        return self._read(path, dict(request.url.params), language)

    def _verify(self, body: dict[str, Any]) -> httpx.Response:
        if self.verification_status == "verified":
            self.verified_conversations.add(body["conversation_id"])
            customer = {"first_name": "Ana", "account_number": body["account_number"]}
            return httpx.Response(
                200, json={"status": "verified", "attempts_left": None, "customer": customer}
            )
        return httpx.Response(
            200,
            json={
                "status": self.verification_status,
                "attempts_left": self.attempts_left,
                "customer": None,
            },
        )

    def _read(self, path: str, params: dict[str, str], language: str = "en") -> httpx.Response:
        base = "/api/v1/accounts/100001"
        if path == f"{base}/balance":
            return httpx.Response(
                200,
                json={
                    "balance": "54.17",
                    "currency": "EUR",
                    "overdue": "0.00",
                    "next_due_date": "2026-11-30",
                    "last_payment": {"date": "2026-10-20", "amount": "36.48"},
                    "latest_invoice": {
                        "number": "INV-100001-202610",
                        "total": "54.17",
                        "due_date": "2026-11-30",
                        "status": "open",
                    },
                },
            )
        if path == f"{base}/invoices/latest":
            return httpx.Response(200, json=ANA_LATEST_SL if language == "sl" else ANA_LATEST)
        if path == f"{base}/invoices/INV-100001-202609":
            return httpx.Response(200, json=ANA_SEPTEMBER)
        if path == f"{base}/invoices":
            found = [ANA_SEPTEMBER] if params.get("month") == "2026-09" else []
            return httpx.Response(200, json={"invoices": found})
        if path == f"{base}/payments":
            return httpx.Response(
                200,
                json={
                    "payments": [
                        {
                            "date": "2026-10-20",
                            "amount": "36.48",
                            "currency": "EUR",
                            "method": "card",
                            "invoice_number": "x",
                        },
                        {
                            "date": "2026-09-18",
                            "amount": "36.48",
                            "currency": "EUR",
                            "method": "bank transfer",
                            "invoice_number": "y",
                        },
                    ]
                },
            )
        return error(404, "not_found")
