"""Each fair-treatment rule on hand-built facts: what it finds, and what it leaves alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.billing.types import LineKind
from bot.core.money import percent_of
from bot.review.rules import RULES, run_rules
from bot.review.rules.above_contract_price import above_contract_price
from bot.review.rules.base import overcharge_vat
from bot.review.rules.charge_after_cancellation import charge_after_cancellation
from bot.review.rules.duplicate_charge import duplicate_charge
from bot.review.rules.late_fee_paid_on_time import late_fee_paid_on_time
from bot.review.rules.promo_not_applied import promo_not_applied
from bot.review.types import RuleName
from tests.bot.review_helpers import contract, facts, invoice, line, roaming

VAT = Decimal("0.22")
SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def _plan(month: date, cents: int = 3990) -> object:
    return line(LineKind.PLAN_CHARGE, cents, month, contract_id=1)


def test_registry_has_one_function_per_rule() -> None:
    assert set(RULES) == set(RuleName)


def test_duplicate_on_one_invoice_and_across_invoices() -> None:
    first = line(LineKind.ADD_ON, 999, OCT, add_on_id=1, description="Roaming pack, October")
    again = line(LineKind.ADD_ON, 999, OCT, add_on_id=1, description="Roaming pack, October")
    later = line(LineKind.PLAN_CHARGE, 3990, OCT, contract_id=1)
    october = invoice(OCT, _plan(OCT), first, again)  # type: ignore[arg-type]
    november = invoice(NOV, _plan(NOV), later)  # type: ignore[arg-type]
    drafts = duplicate_charge(facts(october, november))
    assert [(d.invoice.number, d.net_cents) for d in drafts] == [
        ("INV-1-202611", 999),
        ("INV-1-202612", 3990),
    ]
    assert drafts[0].line_ids == (october.lines[2].id, october.lines[1].id)
    assert drafts[0].vat_cents == overcharge_vat(october, 999) == 219  # 1317 - 1098
    assert drafts[0].amount_cents == 1218
    assert "charged twice for 1–31 October 2026" in drafts[0].summary


def test_no_duplicate_for_different_periods_add_ons_or_a_plan_switch() -> None:
    old = line(
        LineKind.PRORATION, 1802, contract_id=1, period_start=OCT, period_end=date(2026, 10, 14)
    )
    new = line(
        LineKind.PRORATION,
        3285,
        contract_id=2,
        period_start=date(2026, 10, 15),
        period_end=date(2026, 10, 31),
    )
    two_add_ons = [
        line(LineKind.ADD_ON, 999, OCT, add_on_id=1),
        line(LineKind.ADD_ON, 500, OCT, add_on_id=2),
    ]
    fees = [line(LineKind.ONE_TIME_FEE, 4900), line(LineKind.ONE_TIME_FEE, 4900)]
    account = facts(invoice(SEP, _plan(SEP)), invoice(OCT, old, new, *two_add_ons, *fees))  # type: ignore[arg-type]
    assert duplicate_charge(account) == []


def test_late_fee_only_when_paid_on_time() -> None:
    september = invoice(SEP, _plan(SEP))  # type: ignore[arg-type]
    fee = line(
        LineKind.LATE_FEE, 500, related_invoice_id=september.id, description="Late-payment fee"
    )
    october = invoice(OCT, _plan(OCT), fee)  # type: ignore[arg-type]
    on_time = facts(september, october, paid_by_due={september.id: september.total_cents})
    (draft,) = late_fee_paid_on_time(on_time)
    assert (draft.rule, draft.net_cents, draft.line_ids) == (
        RuleName.LATE_FEE_PAID_ON_TIME,
        500,
        (october.lines[1].id,),
    )
    assert draft.evidence["paid_by_due_date"] == draft.evidence["invoice_total"]
    short = facts(september, october, paid_by_due={september.id: september.total_cents - 1})
    assert late_fee_paid_on_time(short) == []
    assert late_fee_paid_on_time(facts(september, october)) == []


def test_add_on_after_it_ended_and_plan_after_cancellation() -> None:
    october = invoice(OCT, _plan(OCT), line(LineKind.ADD_ON, 999, OCT, add_on_id=1))  # type: ignore[arg-type]
    ended = facts(october, subscriptions=[roaming(date(2026, 7, 1), date(2026, 9, 30))])
    (draft,) = charge_after_cancellation(ended)
    assert draft.evidence["service_ended_on"] == "2026-09-30"
    running = facts(october, subscriptions=[roaming(date(2026, 7, 1), None)])
    again = facts(
        october, subscriptions=[roaming(date(2026, 5, 1), date(2026, 6, 30)), roaming(OCT, None)]
    )
    assert charge_after_cancellation(running) == charge_after_cancellation(again) == []
    cancelled = facts(october, contracts=[contract(cancelled_on=date(2026, 9, 20))])
    assert [d.net_cents for d in charge_after_cancellation(cancelled)] == [3990]
    assert (
        charge_after_cancellation(
            facts(october, contracts=[contract(cancelled_on=date(2026, 10, 20))])
        )
        == []
    )


def test_promo_missing_or_partly_missing() -> None:
    promo = contract(promo_price_cents=2990, promo_end=date(2026, 12, 31))
    discount = line(LineKind.DISCOUNT, -1000, contract_id=1)
    half = line(LineKind.DISCOUNT, -400, contract_id=1)
    account = facts(
        invoice(SEP, _plan(SEP), discount),  # type: ignore[arg-type]
        invoice(OCT, _plan(OCT)),  # type: ignore[arg-type]
        invoice(NOV, _plan(NOV), half),  # type: ignore[arg-type]
        contracts=[promo],
    )
    assert [(d.invoice.period_start, d.net_cents) for d in promo_not_applied(account)] == [
        (OCT, 1000),
        (NOV, 600),
    ]
    after = facts(invoice(date(2027, 1, 1), _plan(date(2027, 1, 1))), contracts=[promo])  # type: ignore[arg-type]
    assert promo_not_applied(after) == []


def test_prices_above_the_contract() -> None:
    usage = line(LineKind.USAGE_OVERAGE, 600, OCT, contract_id=1, quantity=3)  # 3 x 1.50 = 4.50
    usage_ok = line(LineKind.USAGE_OVERAGE, 450, SEP, contract_id=1, quantity=3)
    days = {"period_start": date(2026, 10, 15), "period_end": date(2026, 10, 31)}
    partial = line(LineKind.PRORATION, 2288, contract_id=1, **days)  # 17/31 of 39.90 = 21.88
    partial_ok = line(LineKind.PRORATION, 2188, contract_id=1, **days)
    add_on = line(LineKind.ADD_ON, 1099, OCT, add_on_id=1)
    account = facts(
        invoice(SEP, _plan(SEP), usage_ok, partial_ok),  # type: ignore[arg-type]
        invoice(OCT, _plan(OCT, 4190), usage, partial, add_on),  # type: ignore[arg-type]
    )
    plan_line = account.invoices[1].lines[0]
    found = {d.line_id: d.net_cents for d in above_contract_price(account)}
    assert found == {plan_line.id: 200, usage.id: 150, partial.id: 100, add_on.id: 100}
    summary = next(d.summary for d in above_contract_price(account) if d.line_id == plan_line.id)
    assert summary == (
        "plan_charge is charged 41.90 EUR; the contracted price is 39.90 EUR (2.00 EUR too much)."
    )


def test_run_rules_filters_by_invoice_and_sorts() -> None:
    dup = line(LineKind.ADD_ON, 999, OCT, add_on_id=1)
    account = facts(
        invoice(SEP, _plan(SEP, 4000)),  # type: ignore[arg-type]
        invoice(OCT, _plan(OCT), line(LineKind.ADD_ON, 999, OCT, add_on_id=1), dup),  # type: ignore[arg-type]
        subscriptions=[roaming(SEP, None)],
    )
    assert [d.rule for d in run_rules(account)] == [
        RuleName.ABOVE_CONTRACT_PRICE,
        RuleName.DUPLICATE_CHARGE,
    ]
    assert [d.rule for d in run_rules(account, "INV-1-202611")] == [RuleName.DUPLICATE_CHARGE]


def test_vat_of_an_overcharge_is_the_invoice_vat_difference() -> None:
    october = invoice(OCT, _plan(OCT), vat=False)  # type: ignore[arg-type]
    assert overcharge_vat(october, 3990) == 0
    with_vat = invoice(
        OCT,
        line(LineKind.PLAN_CHARGE, 1990),
        line(LineKind.ADD_ON, 999),
        line(LineKind.ADD_ON, 999),
    )
    assert overcharge_vat(with_vat, 999) == percent_of(3988, VAT) - percent_of(2989, VAT) == 219
