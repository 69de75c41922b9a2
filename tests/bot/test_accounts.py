"""Account reads on the seeded data: the demo customers exactly, and identities for everyone."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from bot.billing import accounts
from bot.billing.models import Account, Adjustment, Invoice, Payment
from bot.core.errors import NotFound
from bot.core.money import parse_amount
from tests.bot.conftest import AS_OF

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _account(session: Session, number: str) -> Account:
    return session.scalars(select(Account).where(Account.account_number == number)).one()


def _lines(
    session: Session, number: str, invoice: str | None = None
) -> list[tuple[str, str, str, str]]:
    detail = accounts.invoice_detail(session, _account(session, number), AS_OF, invoice)
    return [(line.kind, line.quantity, line.unit_price, line.amount) for line in detail.lines]


def test_ana_latest_invoice_promo_ended_and_extra_usage(seeded_session: Session) -> None:
    detail = accounts.invoice_detail(
        seeded_session, _account(seeded_session, "100001"), AS_OF, None
    )
    assert detail.number == "INV-100001-202611"
    assert (detail.period_start, detail.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert (detail.issue_date, detail.due_date) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (detail.subtotal, detail.tax, detail.total, detail.status) == (
        "44.40",
        "9.77",
        "54.17",
        "open",
    )
    assert [(line.kind, line.quantity, line.unit_price, line.amount) for line in detail.lines] == [
        ("plan_charge", "1", "39.90", "39.90"),
        ("usage_overage", "3", "1.50", "4.50"),
        ("tax", "1", "9.77", "9.77"),
    ]
    assert [line.explanation for line in detail.lines] == [
        "Your monthly Fiber 300 plan for 1–31 October 2026.",
        "Extra usage beyond your plan's allowance in October 2026: 3 GB at 1.50 EUR each.",
        "22% VAT on the charges above.",
    ]


def test_ana_previous_invoice_still_had_the_discount(seeded_session: Session) -> None:
    detail = accounts.invoice_detail(
        seeded_session, _account(seeded_session, "100001"), AS_OF, "INV-100001-202610"
    )
    assert (detail.subtotal, detail.tax, detail.total, detail.status) == (
        "29.90",
        "6.58",
        "36.48",
        "paid",
    )
    assert [(line.kind, line.amount) for line in detail.lines] == [
        ("plan_charge", "39.90"),
        ("discount", "-10.00"),
        ("tax", "6.58"),
    ]
    assert detail.lines[1].explanation == "Your 12-month welcome discount (ends 30 September 2026)."


def test_ana_summary_and_balance(seeded_session: Session) -> None:
    ana = _account(seeded_session, "100001")
    summary = accounts.account_summary(seeded_session, ana, AS_OF)
    assert summary.model_dump(mode="json") == {
        "account_number": "100001",
        "first_name": "Ana",
        "last_name": "Novak",
        "plan": {"name": "Fiber 300", "monthly_price": "39.90", "currency": "EUR"},
        "contract": {
            "start_date": "2025-10-01",
            "end_date": "2027-09-30",
            "promo_price": None,
            "promo_end_date": "2026-09-30",
            "early_termination_fee": "120.00",
        },
        "add_ons": [],
    }
    balance = accounts.balance(seeded_session, ana, AS_OF)
    assert balance.model_dump(mode="json") == {
        "balance": "54.17",
        "currency": "EUR",
        "overdue": "0.00",
        "next_due_date": "2026-11-30",
        "last_payment": {"date": "2026-10-15", "amount": "36.48"},
        "latest_invoice": {
            "number": "INV-100001-202611",
            "total": "54.17",
            "due_date": "2026-11-30",
            "status": "open",
        },
    }
    during_promo = accounts.account_summary(seeded_session, ana, date(2026, 9, 30)).contract
    assert during_promo is not None
    assert during_promo.promo_price == "29.90"
    invoices = accounts.list_invoices(seeded_session, ana, AS_OF, 100, None).invoices
    assert len(invoices) == 13
    assert [i.status for i in invoices] == ["open"] + ["paid"] * 12
    assert invoices[-1].period_start == date(2025, 10, 1)


def test_marko_latest_invoice_charges_the_roaming_pack_twice(seeded_session: Session) -> None:
    lines = _lines(seeded_session, "100002")
    assert lines == [
        ("plan_charge", "1", "19.90", "19.90"),
        ("add_on", "1", "9.99", "9.99"),
        ("add_on", "1", "9.99", "9.99"),
        ("tax", "1", "8.77", "8.77"),
    ]
    previous = _lines(seeded_session, "100002", "INV-100002-202610")
    assert [kind for kind, *_ in previous].count("add_on") == 1
    summary = accounts.account_summary(seeded_session, _account(seeded_session, "100002"), AS_OF)
    assert [(a.name, a.monthly_price) for a in summary.add_ons] == [("Roaming pack", "9.99")]


def test_eva_36_invoices_paid_on_time_and_contract_ends_this_month(seeded_session: Session) -> None:
    eva = _account(seeded_session, "100003")
    invoices = accounts.list_invoices(seeded_session, eva, AS_OF, 100, None).invoices
    assert len(invoices) == 36
    assert {i.status for i in invoices} == {"paid"}
    assert {i.total for i in invoices[:-1]} == {"73.08"}  # 59.90 + 22% VAT
    late = seeded_session.scalar(
        select(func.count())
        .select_from(Payment)
        .join(Invoice, Payment.invoice_id == Invoice.id)
        .where(Payment.account_id == eva.id, Payment.paid_on > Invoice.due_date)
    )
    assert late == 0
    summary = accounts.account_summary(seeded_session, eva, AS_OF)
    assert summary.contract is not None
    assert summary.contract.end_date == date(2026, 11, 30)
    assert summary.plan is not None
    assert (summary.plan.name, summary.plan.monthly_price) == ("Fiber 1000", "59.90")
    assert accounts.balance(seeded_session, eva, AS_OF).balance == "0.00"
    assert accounts.balance(seeded_session, eva, AS_OF).next_due_date is None


def test_luka_on_mobile_5gb(seeded_session: Session) -> None:
    luka = _account(seeded_session, "100004")
    assert _lines(seeded_session, "100004") == [
        ("plan_charge", "1", "9.90", "9.90"),
        ("tax", "1", "2.18", "2.18"),
    ]
    payments = accounts.list_payments(seeded_session, luka, 3).payments
    assert [p.date for p in payments] == [date(2026, 10, 8), date(2026, 9, 8), date(2026, 8, 8)]
    assert payments[0].invoice_number == "INV-100004-202610"


def test_invoice_month_filter_and_not_found(seeded_session: Session) -> None:
    ana = _account(seeded_session, "100001")
    october = accounts.list_invoices(seeded_session, ana, AS_OF, 12, date(2026, 10, 1)).invoices
    assert [i.number for i in october] == ["INV-100001-202611"]
    with pytest.raises(NotFound):
        accounts.list_invoices(seeded_session, ana, AS_OF, 12, date(2020, 1, 1))
    with pytest.raises(NotFound):
        accounts.invoice_detail(seeded_session, ana, AS_OF, "INV-100002-202611")  # Marko's


def test_balance_identity_and_status_consistency_for_every_account(seeded_session: Session) -> None:
    for account in seeded_session.scalars(select(Account)).all():
        invoiced = seeded_session.scalar(
            select(func.coalesce(func.sum(Invoice.total_cents), 0)).where(
                Invoice.account_id == account.id
            )
        )
        paid = seeded_session.scalar(
            select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
                Payment.account_id == account.id
            )
        )
        credited = seeded_session.scalar(
            select(func.coalesce(func.sum(Adjustment.amount_cents), 0)).where(
                Adjustment.account_id == account.id
            )
        )
        balance = accounts.balance(seeded_session, account, AS_OF)
        assert parse_amount(balance.balance) == invoiced - paid - credited
        invoices = accounts.list_invoices(seeded_session, account, AS_OF, 100, None).invoices
        overdue = parse_amount(balance.overdue)
        assert 0 <= overdue <= max(0, parse_amount(balance.balance))
        assert (overdue > 0) == any(i.status == "overdue" for i in invoices)
        unpaid = [i for i in invoices if i.status != "paid"]
        assert balance.next_due_date == (unpaid[-1].due_date if unpaid else None)
        assert balance.latest_invoice is not None
        assert balance.latest_invoice.number == invoices[0].number
