"""`LineFacts`: what `changes` (the comparison), `change_sentences` and `line_names` read of an
invoice line, and `line_facts`, which reads them from a loaded line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import joinedload

from bot.billing.models import Contract, InvoiceLine

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    from bot.billing.types import LineKind

# What `line_facts` reads beyond the line, joined into the query that loads the line (no query per
# line): `joinedload(Dispute.line).options(*LINE_FACT_LOADS)`.
LINE_FACT_LOADS = (
    joinedload(InvoiceLine.contract).joinedload(Contract.plan),
    joinedload(InvoiceLine.add_on),
    joinedload(InvoiceLine.related_invoice),
)


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the comparison and the line's name need to know about one invoice line."""

    id: int
    kind: LineKind
    description: str  # as the billing system stored it, in English
    amount_cents: int
    quantity: Decimal
    unit_price_cents: int
    period: tuple[date, date] | None = None
    contract_id: int | None = None
    add_on_id: int | None = None
    name: str | None = None  # the plan's or add-on's name
    promo_end: date | None = None  # of the line's contract
    reference: str | None = None  # a late fee's late invoice number
    contract_start: date | None = None  # of the line's contract
    unit: str | None = None  # the unit of the contract's plan's extra usage ("GB")
    tax_rate: Decimal | None = None  # of the line's invoice ("0.2200")


def line_facts(line: InvoiceLine, tax_rate: Decimal | None = None) -> LineFacts:
    """What the comparison and the name need from a loaded line (`tax_rate`: its invoice's)."""
    contract = line.contract
    name = line.add_on.name if line.add_on else (contract.plan.name if contract else None)
    period = (line.period_start, line.period_end) if line.period_start and line.period_end else None
    return LineFacts(
        id=line.id,
        kind=line.kind,
        description=line.description,
        amount_cents=line.amount_cents,
        quantity=line.quantity,
        unit_price_cents=line.unit_price_cents,
        period=period,
        contract_id=line.contract_id,
        add_on_id=line.add_on_id,
        name=name,
        promo_end=contract.promo_end_date if contract else None,
        reference=line.related_invoice.number if line.related_invoice else None,
        contract_start=contract.start_date if contract else None,
        unit=contract.plan.overage_unit if contract else None,
        tax_rate=tax_rate,
    )
