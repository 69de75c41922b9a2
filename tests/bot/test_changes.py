"""Why a bill changed: the pure comparison (property-tested) and the demo customers' bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.billing import accounts, inquiries
from bot.billing.changes import Cause, InvoiceFacts, compare, group_lines
from bot.billing.line_facts import LineFacts
from bot.billing.types import LineKind
from bot.core.errors import NotFound
from tests.bot.conftest import AS_OF
from tests.bot.safety_helpers import account

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
VAT = Decimal("0.22")
_ids = count(1)


def _line(kind: LineKind, cents: int, **values: object) -> LineFacts:
    values.setdefault("description", str(kind))
    values.setdefault("quantity", Decimal(1))
    return LineFacts(
        id=next(_ids),
        kind=kind,
        amount_cents=cents,
        unit_price_cents=cents,
        **values,  # type: ignore[arg-type]
    )


def _invoice(start: date, *lines: LineFacts) -> InvoiceFacts:
    return InvoiceFacts(start, VAT, lines)


@st.composite
def _lines(draw: st.DrawFn, start: int) -> list[LineFacts]:
    kinds = st.sampled_from(list(LineKind))
    size = draw(st.integers(0, 12))
    return [
        LineFacts(
            id=start + n,
            kind=draw(kinds),
            description=draw(st.sampled_from(["A", "B", "Installation"])),
            amount_cents=draw(st.integers(-20_000, 20_000)),
            quantity=Decimal(draw(st.integers(0, 9))),
            unit_price_cents=draw(st.integers(0, 5000)),
            period=draw(st.sampled_from([None, SEPTEMBER, OCTOBER])),
            contract_id=draw(st.sampled_from([None, 1, 2])),
            add_on_id=draw(st.sampled_from([None, 1, 2])),
            name=draw(st.sampled_from([None, "Fiber 300", "Roaming pack"])),
            promo_end=draw(st.sampled_from([None, date(2026, 9, 30), date(2027, 1, 31)])),
        )
        for n in range(size)
    ]


@given(_lines(1), _lines(1000))
def test_changes_add_up_to_the_total_difference(old: list[LineFacts], new: list[LineFacts]) -> None:
    previous, current = _invoice(SEPTEMBER[0], *old), _invoice(OCTOBER[0], *new)
    changes = compare(previous, current)
    assert sum(c.amount_cents for c in changes) == current.total_cents - previous.total_cents
    assert all(c.amount_cents != 0 and c.explanation.endswith(".") for c in changes)
    listed = [i for c in changes for i in c.line_ids + c.previous_line_ids]
    assert len(listed) == len(set(listed))  # no line explains two changes
    grouped = [x.id for g in group_lines(previous, current) for x in g.previous + g.current]
    assert sorted(grouped) == sorted(x.id for x in old + new)  # every line in one group
    for change in changes:
        kinds = {x.kind for x in old + new if x.id in change.line_ids + change.previous_line_ids}
        if change.cause is Cause.TAX_CHANGE:
            assert kinds == {LineKind.TAX}


def test_each_cause() -> None:
    plan = {"contract_id": 1, "period": OCTOBER, "name": "Fiber 300"}
    roaming = {"add_on_id": 1, "name": "Roaming pack"}
    previous = _invoice(
        SEPTEMBER[0],
        _line(LineKind.PLAN_CHARGE, 3990, **plan),
        _line(LineKind.DISCOUNT, -1000, contract_id=1, promo_end=date(2026, 9, 30)),
        _line(LineKind.ADD_ON, 500, add_on_id=2, name="Static IP"),
        _line(LineKind.ONE_TIME_FEE, 4900, description="Installation"),
        _line(LineKind.CREDIT, -500, description="Outage"),
        _line(LineKind.TAX, 1738),
    )
    current = _invoice(
        OCTOBER[0],
        _line(LineKind.PLAN_CHARGE, 4190, **plan),
        _line(LineKind.ADD_ON, 999, period=OCTOBER, **roaming),
        _line(LineKind.ADD_ON, 999, period=OCTOBER, **roaming),
        _line(LineKind.USAGE_OVERAGE, 450, quantity=Decimal(3)),
        _line(LineKind.LATE_FEE, 500, reference="INV-1"),
        _line(LineKind.DISCOUNT, -300, description="Retention discount"),
        _line(LineKind.TAX, 1500),
    )
    causes = {c.cause: c.amount_cents for c in compare(previous, current)}
    assert causes == {
        Cause.PRICE_CHANGE: 200,
        Cause.PROMO_ENDED: 700,  # the welcome discount went, a smaller one came
        Cause.ADD_ON_REMOVED: -500,
        Cause.ADD_ON_ADDED: 999,
        Cause.OTHER: 999,  # the same add-on a second time for the same period
        Cause.USAGE_OVERAGE: 450,
        Cause.LATE_FEE: 500,
        Cause.ONE_TIME_CHARGE: -4900,
        Cause.CREDIT_APPLIED: 500,
        Cause.TAX_CHANGE: -238,
    }


def test_a_running_promotion_whose_discount_is_missing_is_not_promo_ended() -> None:
    promo = {"contract_id": 1, "promo_end": date(2027, 1, 31)}
    previous = _invoice(SEPTEMBER[0], _line(LineKind.DISCOUNT, -1000, **promo))
    (change,) = compare(previous, _invoice(OCTOBER[0]))
    assert change.cause is Cause.OTHER
    assert change.explanation == (
        "Your discount of 10.00 EUR is not on this bill although it runs until 31 January 2027."
    )


def test_plan_switch_is_proration() -> None:
    old = _line(LineKind.PRORATION, 1802, contract_id=1, name="Fiber 300")
    new = _line(LineKind.PRORATION, 3285, contract_id=2, name="Fiber 1000")
    full = _line(LineKind.PLAN_CHARGE, 5990, contract_id=2, name="Fiber 1000")
    before = _invoice(SEPTEMBER[0], _line(LineKind.PLAN_CHARGE, 3990, contract_id=1))
    switch = _invoice(OCTOBER[0], old, new)
    assert [c.cause for c in compare(before, switch)] == [Cause.PRORATION]
    after = _invoice(date(2026, 11, 1), full)
    (change,) = compare(switch, after)
    assert (change.cause, change.amount_cents) == (Cause.PRORATION, 5990 - 1802 - 3285)


def test_ana_promo_ended_extra_usage_and_vat(seeded_session: Session) -> None:
    ana = account(seeded_session, "100001")
    result = inquiries.invoice_changes(seeded_session, ana, None)
    assert (result.invoice_number, result.previous_invoice_number) == (
        "INV-100001-202611",
        "INV-100001-202610",
    )
    assert (result.previous_total, result.total, result.difference) == ("36.48", "54.17", "17.69")
    assert [(c.cause, c.amount) for c in result.changes] == [
        ("promo_ended", "10.00"),
        ("usage_overage", "4.50"),
        ("tax_change", "3.19"),
    ]
    assert [c.explanation for c in result.changes] == [
        "Your welcome discount of 10.00 EUR a month ended on 30 September 2026, "
        "so your plan is back to its full price.",
        "Extra usage beyond your allowance: 3 GB (4.50 EUR) on this bill, none on the last one.",
        "VAT (22%) follows the charges above: 3.19 EUR higher.",
    ]
    latest = accounts.invoice_detail(seeded_session, ana, AS_OF, None)
    previous = accounts.invoice_detail(seeded_session, ana, AS_OF, "INV-100001-202610")
    ids = {line.kind: line.id for line in latest.lines}
    old_ids = {line.kind: line.id for line in previous.lines}
    assert result.changes[0].previous_line_ids == [old_ids["discount"]]
    assert result.changes[1].line_ids == [ids["usage_overage"]]
    assert (result.changes[2].line_ids, result.changes[2].previous_line_ids) == (
        [ids["tax"]],
        [old_ids["tax"]],
    )


def test_marko_second_roaming_charge(seeded_session: Session) -> None:
    result = inquiries.invoice_changes(seeded_session, account(seeded_session, "100002"), None)
    assert [(c.cause, c.amount) for c in result.changes] == [
        ("other", "9.99"),
        ("tax_change", "2.19"),
    ]
    assert result.changes[0].explanation == (
        "Roaming pack is charged a second time for 1–31 October 2026: "
        "this extra 9.99 EUR looks like a billing error."
    )


def test_same_bill_twice_has_no_changes_and_first_bill_has_nothing_to_compare(
    seeded_session: Session,
) -> None:
    eva = account(seeded_session, "100003")
    assert inquiries.invoice_changes(seeded_session, eva, None).changes == []
    first = accounts.list_invoices(seeded_session, eva, AS_OF, 100, None).invoices[-1].number
    with pytest.raises(NotFound, match="first invoice"):
        inquiries.invoice_changes(seeded_session, eva, first)
    with pytest.raises(NotFound):
        inquiries.invoice_changes(seeded_session, eva, "INV-100001-202611")  # Ana's


def test_every_seeded_bill_change_adds_up(seeded_session: Session) -> None:
    for number in ("100001", "100002", "100005", "100006", "100007", "100010", "100020"):
        holder = account(seeded_session, number)
        for invoice in accounts.list_invoices(seeded_session, holder, AS_OF, 100, None).invoices[
            :-1
        ]:
            result = inquiries.invoice_changes(seeded_session, holder, invoice.number)
            total = sum(Decimal(c.amount) for c in result.changes)
            assert total == Decimal(result.difference), invoice.number
