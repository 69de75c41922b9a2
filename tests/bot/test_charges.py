"""Explaining one charge: which lines match an amount and/or words, and where they come from."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing import inquiries
from bot.billing.models import Account, Invoice, InvoiceLine
from tests.bot.conftest import AS_OF
from tests.bot.safety_helpers import account

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _find(session: Session, number: str, **query: object) -> list[dict[str, object]]:
    query.setdefault("amount_cents", None)
    query.setdefault("text", None)
    query.setdefault("month", None)
    found = inquiries.find_charges(session, account(session, number), AS_OF, **query)  # type: ignore[arg-type]
    return [charge.model_dump(mode="json") for charge in found.charges]


def test_marko_999_is_the_roaming_pack_in_each_of_the_last_three_bills(
    seeded_session: Session,
) -> None:
    charges = _find(seeded_session, "100002", amount_cents=999)
    assert [(c["invoice_number"], c["period_start"]) for c in charges] == [
        ("INV-100002-202611", "2026-10-01"),
        ("INV-100002-202611", "2026-10-01"),
        ("INV-100002-202610", "2026-09-01"),
        ("INV-100002-202609", "2026-08-01"),
    ]
    assert charges[0]["origin"] == {
        "type": "add_on",
        "name": "Roaming pack",
        "invoice_number": None,
    }
    assert charges[0]["explanation"] == (
        "Your monthly Roaming pack add-on for 1–31 October 2026 (9.99 EUR a month)."
    )
    assert charges[0]["line_id"] != charges[1]["line_id"]
    assert _find(seeded_session, "100002", amount_cents=999, month=date(2026, 9, 1)) == [charges[2]]


def test_words_match_description_explanation_kind_and_origin(seeded_session: Session) -> None:
    usage = _find(seeded_session, "100001", text="extra USAGE")
    assert [(c["amount"], c["origin"]["type"], c["origin"]["name"]) for c in usage] == [  # type: ignore[index]
        ("4.50", "usage", "Fiber 300")
    ]
    assert [
        c["amount"] for c in _find(seeded_session, "100001", amount_cents=450, text="usage")
    ] == ["4.50"]
    discount = _find(seeded_session, "100001", amount_cents=1000)  # the -10.00 discount
    assert [(c["kind"], c["amount"], c["invoice_number"]) for c in discount] == [
        ("discount", "-10.00", "INV-100001-202610"),
        ("discount", "-10.00", "INV-100001-202609"),
    ]
    vat = _find(seeded_session, "100001", text="vat", month=date(2026, 10, 1))
    assert [(c["kind"], c["amount"]) for c in vat] == [("tax", "9.77")]
    assert _find(seeded_session, "100001", text="roaming") == []
    assert _find(seeded_session, "100001", text="vat", month=date(2019, 1, 1)) == []


def test_a_late_fee_names_the_late_invoice(seeded_session: Session) -> None:
    row = seeded_session.execute(
        select(Account.account_number, Invoice.period_start, InvoiceLine.related_invoice_id)
        .join(Invoice, Invoice.account_id == Account.id)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(InvoiceLine.kind == "late_fee")
        .order_by(Invoice.period_start.desc())
        .limit(1)
    ).one()
    late = seeded_session.get(Invoice, row.related_invoice_id)
    assert late is not None
    charges = _find(seeded_session, row.account_number, text="late fee", month=row.period_start)
    assert charges
    assert charges[0]["origin"] == {
        "type": "late_fee",
        "name": f"Late-payment fee ({late.number})",
        "invoice_number": late.number,
    }
    assert late.number in str(charges[0]["explanation"])
