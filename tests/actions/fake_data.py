"""What the fake back end answers for the demo customers, shaped like the back end's schemas.

Ana 100001: her welcome discount ended, extra usage on the October bill (36.48 -> 54.17 EUR).
Marko 100002: the October bill charges the Roaming pack twice (a finding the bot may credit).
Eva 100003: a loyal customer whose contract ends this month (a loyalty offer before cancelling).
Luka 100004: nothing to report.
Shapes: bot/billing/schemas.py (InvoiceChanges, ChargeList), bot/review/schemas.py,
bot/commerce/schemas.py, bot/disputes/schemas.py, bot/safety/schemas.py; docs/api.md.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

ANA, MARKO, EVA, LUKA = "100001", "100002", "100003", "100004"
CODE = "123456"  # the one-time code the fake "sends"
NOW = "2026-11-27T10:00:00Z"

CHANGES: dict[str, JSON] = {
    ANA: {
        "invoice_number": "INV-100001-202610",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "previous_invoice_number": "INV-100001-202609",
        "previous_period_start": "2026-09-01",
        "previous_period_end": "2026-09-30",
        "currency": "EUR",
        "previous_total": "36.48",
        "total": "54.17",
        "difference": "17.69",
        "changes": [
            {
                "cause": "promo_ended",
                "amount": "10.00",
                "explanation": "Your welcome discount of 10.00 EUR a month ended on"
                " 30 September 2026, so your plan is back to its full price.",
                "line_ids": [101],
                "previous_line_ids": [111, 112],
            },
            {
                "cause": "usage_overage",
                "amount": "4.50",
                "explanation": "Extra usage beyond your allowance: 3 GB (4.50 EUR) on this bill,"
                " none on the last one.",
                "line_ids": [102],
                "previous_line_ids": [],
            },
            {
                "cause": "tax_change",
                "amount": "3.19",
                "explanation": "VAT (22%) follows the charges above: 3.19 EUR higher.",
                "line_ids": [103],
                "previous_line_ids": [113],
            },
        ],
    },
    MARKO: {
        "invoice_number": "INV-100002-202610",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "previous_invoice_number": "INV-100002-202609",
        "previous_period_start": "2026-09-01",
        "previous_period_end": "2026-09-30",
        "currency": "EUR",
        "previous_total": "36.47",
        "total": "48.65",
        "difference": "12.18",
        "changes": [
            {
                "cause": "other",
                "amount": "9.99",
                "explanation": "Roaming pack is charged a second time for 1–31 October 2026:"
                " this extra 9.99 EUR looks like a billing error.",
                "line_ids": [203],
                "previous_line_ids": [],
            },
            {
                "cause": "tax_change",
                "amount": "2.19",
                "explanation": "VAT (22%) follows the charges above: 2.19 EUR higher.",
                "line_ids": [204],
                "previous_line_ids": [213],
            },
        ],
    },
}


def charge(
    line_id: int, invoice: str, kind: str, description: str, amount: str, explanation: str
) -> JSON:
    """A line as GET /charges returns it; the period is the invoice's month."""
    year, month = invoice[-6:-2], invoice[-2:]
    last_day = {"02": "28", "04": "30", "06": "30", "09": "30", "11": "30"}.get(month, "31")
    origin_type = {"plan_charge": "plan", "usage_overage": "usage", "one_time_fee": "fee"}
    return {
        "line_id": line_id,
        "invoice_number": invoice,
        "kind": kind,
        "description": description,
        "amount": amount,
        "currency": "EUR",
        "period_start": f"{year}-{month}-01",
        "period_end": f"{year}-{month}-{last_day}",
        "explanation": explanation,
        "origin": {
            "type": origin_type.get(kind, kind),
            "name": description.split(",")[0],
            "invoice_number": None,
        },
    }


def _roaming(line_id: int, invoice: str, month: str) -> JSON:
    return charge(
        line_id, invoice, "add_on", f"Roaming pack, {month}", "9.99",
        f"Your Roaming pack add-on for {month}.",
    )  # fmt: skip


# Newest invoice first, in invoice order; GET /charges searches the newest 3 unless given a month.
CHARGES: dict[str, list[JSON]] = {
    ANA: [
        charge(101, "INV-100001-202610", "plan_charge", "Fiber 300, October 2026", "39.90",
               "Your monthly Fiber 300 plan for 1-31 October 2026."),
        charge(102, "INV-100001-202610", "usage_overage", "Extra data, 3 GB", "4.50",
               "Extra usage beyond your plan's allowance in October 2026."),
        charge(103, "INV-100001-202610", "tax", "VAT 22%", "9.77", "22% VAT on the charges above."),
        charge(111, "INV-100001-202609", "plan_charge", "Fiber 300, September 2026", "39.90",
               "Your monthly Fiber 300 plan for 1-30 September 2026."),
        charge(112, "INV-100001-202609", "discount", "Welcome discount", "-10.00",
               "Your 12-month welcome discount, the last month of it."),
        charge(113, "INV-100001-202609", "tax", "VAT 22%", "6.58", "22% VAT on the charges above."),
        charge(121, "INV-100001-202608", "plan_charge", "Fiber 300, August 2026", "39.90",
               "Your monthly Fiber 300 plan for 1-31 August 2026."),
        charge(122, "INV-100001-202608", "discount", "Welcome discount", "-10.00",
               "Your 12-month welcome discount."),
        charge(123, "INV-100001-202608", "tax", "VAT 22%", "6.58", "22% VAT on the charges above."),
    ],
    MARKO: [
        charge(201, "INV-100002-202610", "plan_charge", "Mobile 20GB, October 2026", "19.90",
               "Your monthly Mobile 20GB plan for 1-31 October 2026."),
        _roaming(202, "INV-100002-202610", "October 2026"),
        _roaming(203, "INV-100002-202610", "October 2026"),
        charge(204, "INV-100002-202610", "tax", "VAT 22%", "8.77", "22% VAT on the charges above."),
        charge(211, "INV-100002-202609", "plan_charge", "Mobile 20GB, September 2026", "19.90",
               "Your monthly Mobile 20GB plan for 1-30 September 2026."),
        _roaming(212, "INV-100002-202609", "September 2026"),
        charge(213, "INV-100002-202609", "tax", "VAT 22%", "6.58", "22% VAT on the charges above."),
        charge(221, "INV-100002-202608", "plan_charge", "Mobile 20GB, August 2026", "19.90",
               "Your monthly Mobile 20GB plan for 1-31 August 2026."),
        _roaming(222, "INV-100002-202608", "August 2026"),
        charge(223, "INV-100002-202608", "tax", "VAT 22%", "6.58", "22% VAT on the charges above."),
    ],
}  # fmt: skip

MARKO_DUPLICATE: JSON = {
    "id": 17,
    "rule": "duplicate_charge",
    "status": "open",
    "invoice_number": "INV-100002-202610",
    "line_ids": [203, 202],
    "amount": "12.19",  # what the customer overpaid, VAT included; the credit is exactly this
    "net_amount": "9.99",
    "vat": "2.20",
    "currency": "EUR",
    "summary": "Roaming pack, October 2026 (9.99 EUR) is charged twice for 1–31 October 2026:"
    " INV-100002-202610 repeats a charge already on the same invoice.",
    "evidence": {"duplicate": {"line_id": 203}, "original": {"line_id": 202}},
    "bot_can_credit": True,
    "created_at": NOW,
}
FINDINGS: dict[str, list[JSON]] = {MARKO: [MARKO_DUPLICATE]}
BALANCES = {ANA: "54.17", MARKO: "48.65", EVA: "0.00", LUKA: "0.00"}

LOYALTY_OFFER: JSON = {
    "id": 41,
    "code": "loyalty",
    "name": "Loyalty discount",
    "percent": 15,
    "monthly_amount": "8.99",
    "months": 12,
    "total_amount": "107.88",
    "currency": "EUR",
    "status": "offered",
    "expires_at": "2026-12-04T10:00:00Z",
}
# (account, trigger) -> decision; anything not listed is `not_eligible`.
OFFER_DECISIONS: dict[tuple[str, str], str] = {
    (EVA, "cancellation"): "offer",
    (EVA, "discount_request"): "offer",
}
OFFERS: dict[str, JSON] = {EVA: LOYALTY_OFFER}
DISCOUNT: JSON = {
    "percent": 15,
    "monthly_amount": "8.99",
    "months": 12,
    "start_date": "2026-12-01",
    "end_date": "2027-11-30",
    "currency": "EUR",
}

FIBER_100 = {"code": "fiber-100", "name": "Fiber 100", "monthly_price": "29.90",
             "data_allowance_gb": 500, "currency": "EUR"}  # fmt: skip
FIBER_300 = {"code": "fiber-300", "name": "Fiber 300", "monthly_price": "39.90",
             "data_allowance_gb": 1000, "currency": "EUR"}  # fmt: skip
ANA_CONTRACT = {"end_date": "2027-09-30", "early_termination_fee": "120.00", "notice_days": 30,
                "earliest_end_date": "2026-12-27"}  # fmt: skip
PLAN_OPTIONS: dict[str, JSON] = {
    ANA: {
        "usage": [
            {"month": "2026-08", "used_gb": "800", "included_gb": "1000"},
            {"month": "2026-09", "used_gb": "853", "included_gb": "1000"},
            {"month": "2026-10", "used_gb": "1003", "included_gb": "1000"},
        ],
        "current_plan": FIBER_300,
        "current_monthly_cost": "41.40",
        "recommended_plan": FIBER_300,
        "monthly_saving": "0.00",
        "already_best": True,
        "summary": "Fiber 300 is already the best plan for your usage.",
        "contract": ANA_CONTRACT,
    },
}
# Ana if she used little data: Fiber 100 covers it for 10.00 EUR a month less.
ANA_LIGHT_USE: JSON = {
    **PLAN_OPTIONS[ANA],
    "usage": [
        {"month": "2026-08", "used_gb": "310", "included_gb": "1000"},
        {"month": "2026-09", "used_gb": "402", "included_gb": "1000"},
        {"month": "2026-10", "used_gb": "377", "included_gb": "1000"},
    ],
    "current_monthly_cost": "39.90",
    "recommended_plan": FIBER_100,
    "monthly_saving": "10.00",
    "already_best": False,
    "summary": "Fiber 100 covers your usage for 10.00 EUR a month less.",
}
PLANS = {"fiber-100": FIBER_100, "fiber-300": FIBER_300}

CANCELLATION_TERMS: dict[str, JSON] = {
    ANA: {"contract_end_date": "2027-09-30", "notice_days": 30, "effective_date": "2026-12-27",
          "early_termination_fee": "120.00", "fee_applies": True, "currency": "EUR",
          "pending_request": None},
    EVA: {"contract_end_date": "2026-11-30", "notice_days": 30, "effective_date": "2026-12-27",
          "early_termination_fee": "0.00", "fee_applies": False, "currency": "EUR",
          "pending_request": None},
}  # fmt: skip


def channels(account: str) -> list[JSON]:
    """The contacts on file, masked, with opaque ids (like bot/safety/step_up.py)."""
    first = {ANA: "a", MARKO: "m", EVA: "e", LUKA: "l"}.get(account, "x")
    return [
        {"id": f"ch_{account}e", "kind": "email", "masked": f"{first}***@example.com"},
        {"id": f"ch_{account}s", "kind": "sms", "masked": f"+386 *** *** {account[:3]}"},
    ]
