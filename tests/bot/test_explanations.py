"""Sentences for each line kind, from transient (unsaved) model objects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.billing.explanations import ExplanationContext, explain_line
from bot.billing.models import AddOn, Contract, Invoice, InvoiceLine, Plan
from bot.billing.types import LineKind, PlanKind

CTX = ExplanationContext(tax_rate=Decimal("0.2200"), paid_invoice_ids=frozenset({7}))
FIBER_300 = Plan(name="Fiber 300", kind=PlanKind.FIBER, monthly_price_cents=3990, overage_unit="GB")
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def _line(kind: LineKind, amount: int, **values: object) -> InvoiceLine:
    values.setdefault("description", "something")
    values.setdefault("quantity", Decimal(1))
    values.setdefault("unit_price_cents", amount)
    return InvoiceLine(kind=kind, amount_cents=amount, **values)


def _contract(**values: object) -> Contract:
    values.setdefault("start_date", date(2025, 9, 1))
    return Contract(plan=FIBER_300, **values)


def test_plan_charge() -> None:
    line = _line(
        LineKind.PLAN_CHARGE,
        3990,
        contract=_contract(),
        period_start=OCTOBER[0],
        period_end=OCTOBER[1],
    )
    assert explain_line(line, CTX) == "Your monthly Fiber 300 plan for 1–31 October 2026."


def test_discount_names_its_length_and_end() -> None:
    contract = _contract(
        start_date=date(2025, 9, 1), promo_end_date=date(2026, 8, 31), promo_price_cents=2990
    )
    line = _line(LineKind.DISCOUNT, -1000, contract=contract)
    assert explain_line(line, CTX) == "Your 12-month welcome discount (ends 31 August 2026)."


def test_usage_overage() -> None:
    line = _line(
        LineKind.USAGE_OVERAGE,
        450,
        quantity=Decimal("3.0000"),
        unit_price_cents=150,
        contract=_contract(),
        period_start=OCTOBER[0],
        period_end=OCTOBER[1],
    )
    assert explain_line(line, CTX) == (
        "Extra usage beyond your plan's allowance in October 2026: 3 GB at 1.50 EUR each."
    )


@pytest.mark.parametrize(
    ("invoice_id", "verb"),
    [(7, "was paid after its due date"), (8, "was not paid by its due date")],
)
def test_late_fee_names_the_late_invoice(invoice_id: int, verb: str) -> None:
    late = Invoice(id=invoice_id, number="INV-100001-202609", due_date=date(2026, 9, 30))
    line = _line(LineKind.LATE_FEE, 500, related_invoice=late)
    assert (
        explain_line(line, CTX)
        == f"Late-payment fee because invoice INV-100001-202609 {verb} of 30 September 2026."
    )


def test_proration_for_both_sides_of_a_switch() -> None:
    old = _contract(start_date=date(2025, 1, 1), end_date=date(2026, 3, 14))
    new = Contract(plan=Plan(name="Fiber 1000"), start_date=date(2026, 3, 15))
    before = _line(
        LineKind.PRORATION,
        1802,
        contract=old,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 14),
    )
    after = _line(
        LineKind.PRORATION,
        3285,
        contract=new,
        period_start=date(2026, 3, 15),
        period_end=date(2026, 3, 31),
    )
    assert (
        explain_line(after, CTX)
        == "Partial-month charge for switching to Fiber 1000 on 15 March 2026 (17 of 31 days)."
    )
    assert (
        explain_line(before, CTX)
        == "Partial-month charge for Fiber 300 until you switched plans on 15 March 2026"
        " (14 of 31 days)."
    )


def test_tax_add_on_fee_credit() -> None:
    assert explain_line(_line(LineKind.TAX, 977), CTX) == "22% VAT on the charges above."
    add_on = _line(
        LineKind.ADD_ON,
        999,
        add_on=AddOn(name="Roaming pack"),
        period_start=OCTOBER[0],
        period_end=OCTOBER[1],
    )
    assert (
        explain_line(add_on, CTX)
        == "Your monthly Roaming pack add-on for 1–31 October 2026 (9.99 EUR a month)."
    )
    fee = _line(LineKind.ONE_TIME_FEE, 4900, description="Installation")
    assert (
        explain_line(fee, CTX)
        == "A one-time charge for installation (49.00 EUR); it does not repeat."
    )
    credit = _line(LineKind.CREDIT, -500, description="Service outage compensation")
    assert (
        explain_line(credit, CTX)
        == "A credit of 5.00 EUR in your favour: service outage compensation."
    )


def test_every_kind_has_a_sentence() -> None:
    for kind in LineKind:
        sentence = explain_line(_line(kind, 100, description="Thing"), CTX)
        assert sentence.endswith(".")
        assert sentence[0].isupper() or sentence[0].isdigit()
