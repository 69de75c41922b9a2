"""One plain-language sentence per invoice line, written from the line and what it refers to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.billing.line_names import invoice_line_name
from bot.billing.types import LineKind
from bot.core.dates import days_in_month, months_between, next_day
from bot.core.texts import Texts, product_name

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from bot.billing.models import InvoiceLine


@dataclass(frozen=True, slots=True)
class ExplanationContext:
    """Facts from outside the line: the invoice's VAT rate and which invoices are paid, and the
    language to write in."""

    tax_rate: Decimal
    currency: str = "EUR"
    paid_invoice_ids: frozenset[int] = field(default_factory=frozenset)
    texts: Texts = field(default_factory=Texts)


def name_of(line: InvoiceLine, ctx: ExplanationContext) -> str:
    """The line's name in the context's language (`line_names.invoice_line_name`)."""
    return invoice_line_name(line, ctx.tax_rate, ctx.texts)


def _period(line: InvoiceLine, texts: Texts) -> str | None:
    if line.period_start and line.period_end:
        return texts.span(line.period_start, line.period_end)
    return None


def _plan_name(line: InvoiceLine) -> str | None:
    return line.contract.plan.name if line.contract is not None else None


def _plan_charge(line: InvoiceLine, ctx: ExplanationContext) -> str:
    name = _plan_name(line) or name_of(line, ctx)
    period = _period(line, ctx.texts)
    if period is None:
        return ctx.texts("line.plan_charge", plan=name)
    return ctx.texts("line.plan_charge.period", plan=name, period=period)


def _add_on(line: InvoiceLine, ctx: ExplanationContext) -> str:
    texts = ctx.texts
    add_on = line.add_on
    name = product_name(texts, add_on.name) if add_on is not None else name_of(line, ctx)
    price = texts.money(line.unit_price_cents, ctx.currency)
    period = _period(line, texts)
    if period is None:
        return texts("line.add_on", add_on=name, price=price)
    return texts("line.add_on.period", add_on=name, period=period, price=price)


def _usage_overage(line: InvoiceLine, ctx: ExplanationContext) -> str:
    texts = ctx.texts
    unit = "GB"
    if line.contract is not None and line.contract.plan.overage_unit:
        unit = line.contract.plan.overage_unit
    values = {
        "quantity": texts.number(line.quantity),
        "unit": unit,
        "price": texts.money(line.unit_price_cents, ctx.currency),
    }
    if line.period_start is None:
        return texts("line.usage_overage", **values)
    return texts("line.usage_overage.month", month=texts.month(line.period_start), **values)


def _one_time_fee(line: InvoiceLine, ctx: ExplanationContext) -> str:
    amount = ctx.texts.money(line.amount_cents, ctx.currency)
    return ctx.texts("line.one_time_fee", description=name_of(line, ctx).lower(), amount=amount)


def _late_fee(line: InvoiceLine, ctx: ExplanationContext) -> str:
    texts = ctx.texts
    late = line.related_invoice
    if late is None:
        return texts("line.late_fee", amount=texts.money(line.amount_cents, ctx.currency))
    key = "line.late_fee.paid_late" if late.id in ctx.paid_invoice_ids else "line.late_fee.unpaid"
    return texts(key, invoice=late.number, due=texts.day(late.due_date))


def _switch_day(line: InvoiceLine) -> date | None:
    contract = line.contract
    if contract is None:
        return None
    if line.period_start is not None and contract.start_date == line.period_start:
        return contract.start_date
    return next_day(contract.end_date) if contract.end_date else None


def _proration(line: InvoiceLine, ctx: ExplanationContext) -> str:
    texts = ctx.texts
    name = _plan_name(line) or name_of(line, ctx)
    switched = _switch_day(line)
    contract = line.contract
    if switched is None or contract is None:
        period = _period(line, texts)
        if period is None:
            return texts("line.proration", plan=name)
        return texts("line.proration.period", plan=name, period=period)
    key = (
        "line.proration.switched_to"
        if contract.start_date == switched
        else "line.proration.switched_from"
    )
    when = texts.day(switched)
    if line.period_start is None or line.period_end is None:
        return texts(key, plan=name, day=when)
    days = (line.period_end - line.period_start).days + 1
    month_days = days_in_month(line.period_start)
    return texts(f"{key}.days", plan=name, day=when, days=days, month_days=month_days)


def _tax(_line: InvoiceLine, ctx: ExplanationContext) -> str:
    return ctx.texts("line.tax", percent=ctx.texts.number(ctx.tax_rate * 100))


def _discount(line: InvoiceLine, ctx: ExplanationContext) -> str:
    texts = ctx.texts
    contract = line.contract
    if contract is not None and contract.promo_end_date is not None:
        months = months_between(contract.start_date, next_day(contract.promo_end_date))
        return texts(
            "line.discount.welcome",
            months=texts.plural("unit.months_long", months),
            ends=texts.day(contract.promo_end_date),
        )
    amount = texts.money(-line.amount_cents, ctx.currency)
    return texts("line.discount", amount=amount, description=name_of(line, ctx))


def _credit(line: InvoiceLine, ctx: ExplanationContext) -> str:
    amount = ctx.texts.money(-line.amount_cents, ctx.currency)
    return ctx.texts("line.credit", amount=amount, description=name_of(line, ctx).lower())


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
