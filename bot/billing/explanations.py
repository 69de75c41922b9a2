"""One plain-language sentence per invoice line, written from the line and what it refers to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.billing.types import LineKind
from bot.core.dates import (
    days_in_month,
    format_day,
    format_month,
    format_range,
    months_between,
    next_day,
)
from bot.core.money import format_money, format_quantity

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from bot.billing.models import InvoiceLine


@dataclass(frozen=True, slots=True)
class ExplanationContext:
    """Facts from outside the line: the invoice's VAT rate and which invoices are paid."""

    tax_rate: Decimal
    currency: str = "EUR"
    paid_invoice_ids: frozenset[int] = field(default_factory=frozenset)


def _period(line: InvoiceLine) -> str:
    if line.period_start and line.period_end:
        return f" for {format_range(line.period_start, line.period_end)}"
    return ""


def _plan_name(line: InvoiceLine) -> str | None:
    return line.contract.plan.name if line.contract is not None else None


def _plan_charge(line: InvoiceLine, _ctx: ExplanationContext) -> str:
    name = _plan_name(line) or line.description
    return f"Your monthly {name} plan{_period(line)}."


def _add_on(line: InvoiceLine, ctx: ExplanationContext) -> str:
    name = line.add_on.name if line.add_on is not None else line.description
    price = format_money(line.unit_price_cents, ctx.currency)
    return f"Your monthly {name} add-on{_period(line)} ({price} a month)."


def _usage_overage(line: InvoiceLine, ctx: ExplanationContext) -> str:
    unit = "GB"
    if line.contract is not None and line.contract.plan.overage_unit:
        unit = line.contract.plan.overage_unit
    month = f" in {format_month(line.period_start)}" if line.period_start else ""
    price = format_money(line.unit_price_cents, ctx.currency)
    return (
        f"Extra usage beyond your plan's allowance{month}: "
        f"{format_quantity(line.quantity)} {unit} at {price} each."
    )


def _one_time_fee(line: InvoiceLine, ctx: ExplanationContext) -> str:
    amount = format_money(line.amount_cents, ctx.currency)
    return f"A one-time charge for {line.description.lower()} ({amount}); it does not repeat."


def _late_fee(line: InvoiceLine, ctx: ExplanationContext) -> str:
    late = line.related_invoice
    if late is None:
        return f"Late-payment fee of {format_money(line.amount_cents, ctx.currency)}."
    when = format_day(late.due_date)
    if late.id in ctx.paid_invoice_ids:
        return (
            f"Late-payment fee because invoice {late.number} was paid after its due date of {when}."
        )
    return f"Late-payment fee because invoice {late.number} was not paid by its due date of {when}."


def _switch_day(line: InvoiceLine) -> date | None:
    contract = line.contract
    if contract is None:
        return None
    if line.period_start is not None and contract.start_date == line.period_start:
        return contract.start_date
    return next_day(contract.end_date) if contract.end_date else None


def _days(line: InvoiceLine) -> str:
    if line.period_start is None or line.period_end is None:
        return ""
    days = (line.period_end - line.period_start).days + 1
    return f" ({days} of {days_in_month(line.period_start)} days)"


def _proration(line: InvoiceLine, _ctx: ExplanationContext) -> str:
    name = _plan_name(line) or line.description
    switched = _switch_day(line)
    contract = line.contract
    if switched is None or contract is None:
        return f"Partial-month charge for {name}{_period(line)}."
    when = format_day(switched)
    if contract.start_date == switched:
        return f"Partial-month charge for switching to {name} on {when}{_days(line)}."
    return f"Partial-month charge for {name} until you switched plans on {when}{_days(line)}."


def _tax(_line: InvoiceLine, ctx: ExplanationContext) -> str:
    percent = format_quantity(ctx.tax_rate * 100)
    return f"{percent}% VAT on the charges above."


def _discount(line: InvoiceLine, ctx: ExplanationContext) -> str:
    contract = line.contract
    if contract is not None and contract.promo_end_date is not None:
        months = months_between(contract.start_date, next_day(contract.promo_end_date))
        ends = format_day(contract.promo_end_date)
        return f"Your {months}-month welcome discount (ends {ends})."
    return f"A discount of {format_money(-line.amount_cents, ctx.currency)}: {line.description}."


def _credit(line: InvoiceLine, ctx: ExplanationContext) -> str:
    amount = format_money(-line.amount_cents, ctx.currency)
    return f"A credit of {amount} in your favour: {line.description.lower()}."


_WRITERS: dict[LineKind, Callable[[InvoiceLine, ExplanationContext], str]] = {
    LineKind.PLAN_CHARGE: _plan_charge,
    LineKind.ADD_ON: _add_on,
    LineKind.USAGE_OVERAGE: _usage_overage,
    LineKind.ONE_TIME_FEE: _one_time_fee,
    LineKind.LATE_FEE: _late_fee,
    LineKind.PRORATION: _proration,
    LineKind.TAX: _tax,
    LineKind.DISCOUNT: _discount,
    LineKind.CREDIT: _credit,
}


def explain_line(line: InvoiceLine, ctx: ExplanationContext) -> str:
    """The sentence for one line; refers to the line's plan, add-on or late invoice if loaded."""
    return _WRITERS[line.kind](line, ctx)
