"""Hand-built review facts for the rule tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from bot.billing.types import LineKind
from bot.core.dates import add_months, month_end
from bot.core.money import percent_of
from bot.review.facts import AccountFacts, FactContract, FactInvoice, FactLine, FactSubscription

_ids = count(1)
FIBER_300 = {"plan_name": "Fiber 300", "price_cents": 3990, "overage_unit_price_cents": 150}


def line(kind: LineKind, cents: int, month: date | None = None, **values: object) -> FactLine:
    period = {"period_start": month, "period_end": month_end(month)} if month else {}
    fields: dict[str, object] = {
        "id": next(_ids),
        "invoice_id": 0,
        "kind": kind,
        "description": str(kind),
        "amount_cents": cents,
        "quantity": Decimal(1),
        "unit_price_cents": cents,
        "period_start": None,
        "period_end": None,
        "contract_id": None,
        "add_on_id": None,
        "related_invoice_id": None,
        **period,
        **values,
    }
    return FactLine(**fields)  # type: ignore[arg-type]


def invoice(month: date, *lines: FactLine, vat: bool = True) -> FactInvoice:
    invoice_id = next(_ids)
    net = sum(x.amount_cents for x in lines)
    tax = (line(LineKind.TAX, percent_of(net, Decimal("0.22"))),) if vat else ()
    items = tuple(
        FactLine(**{**{f: getattr(x, f) for f in x.__slots__}, "invoice_id": invoice_id})  # type: ignore[arg-type]
        for x in lines + tax
    )
    issue = add_months(month, 1)
    return FactInvoice(
        id=invoice_id,
        number=f"INV-1-{issue:%Y%m}",
        period_start=month,
        period_end=month_end(month),
        due_date=month_end(issue),
        total_cents=sum(x.amount_cents for x in items),
        tax_rate=Decimal("0.22"),
        lines=items,
    )


def contract(contract_id: int = 1, **values: object) -> FactContract:
    fields: dict[str, object] = {
        "id": contract_id,
        **FIBER_300,
        "start": date(2026, 1, 1),
        "end": date(2027, 12, 31),
        "promo_price_cents": None,
        "promo_end": None,
        "cancelled_on": None,
        **values,
    }
    return FactContract(**fields)  # type: ignore[arg-type]


def facts(*invoices: FactInvoice, **values: object) -> AccountFacts:
    account = AccountFacts(1, invoices=list(invoices))
    account.contracts = {c.id: c for c in values.get("contracts", [contract()])}  # type: ignore[attr-defined]
    account.subscriptions = list(values.get("subscriptions", []))  # type: ignore[call-overload]
    account.add_on_prices = {1: ("Roaming pack", 999), 2: ("Static IP", 500)}
    account.paid_by_due = dict(values.get("paid_by_due", {}))  # type: ignore[call-overload]
    return account


def roaming(start: date, end: date | None) -> FactSubscription:
    return FactSubscription(1, "Roaming pack", 999, start, end)


DAY = timedelta(days=1)
