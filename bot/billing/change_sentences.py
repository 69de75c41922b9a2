"""One plain sentence per bill change, written from the lines of its group on both invoices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.billing.types import LineKind
from bot.core.dates import format_day, format_range
from bot.core.money import format_money, format_quantity

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from decimal import Decimal

    from bot.billing.line_facts import LineFacts

    Lines = Sequence[LineFacts]


def _sum(lines: Lines) -> int:
    return sum(line.amount_cents for line in lines)


def _money(cents: int) -> str:
    return format_money(abs(cents))


def _name(lines: Lines) -> str:
    return next((line.name for line in lines if line.name), None) or lines[0].description


def _listed(lines: Lines) -> str:
    return ", ".join(f"{line.description} ({_money(line.amount_cents)})" for line in lines)


def _promo_ended(old: Lines, new: Lines) -> str:
    ends = [line.promo_end for line in old if line.promo_end is not None]
    if not ends:
        return f"A discount on the last bill has ended: {_listed(old)}."
    if new:
        return f"Your discount is smaller now: {_listed(new)} against {_listed(old)} last time."
    return (
        f"Your welcome discount of {_money(_sum(old))} a month ended on {format_day(max(ends))}, "
        "so your plan is back to its full price."
    )


def _price_change(old: Lines, new: Lines) -> str:
    if not old:
        return f"A charge that was not on the last bill: {_listed(new)}."
    if not new:
        return f"A charge on the last bill that is not on this one: {_listed(old)}."
    before, after = _name(old), _name(new)
    if before != after:
        return (
            f"Your plan changed from {before} ({_money(_sum(old))}) "
            f"to {after} ({_money(_sum(new))})."
        )
    return f"{after} now costs {_money(_sum(new))} instead of {_money(_sum(old))}."


def _usage(lines: Lines) -> str:
    quantity = format_quantity(sum((line.quantity for line in lines), start=0 * lines[0].quantity))
    return f"{quantity} GB ({_money(_sum(lines))})"


def _usage_overage(old: Lines, new: Lines) -> str:
    if not old:
        return (
            f"Extra usage beyond your allowance: {_usage(new)} on this bill, none on the last one."
        )
    if not new:
        return f"No extra usage on this bill; the last one had {_usage(old)}."
    more = "more" if _sum(new) > _sum(old) else "less"
    return (
        f"You used {more} beyond your allowance: {_usage(new)} on this bill "
        f"against {_usage(old)} on the last one."
    )


def _add_on_added(_old: Lines, new: Lines) -> str:
    return f"{_name(new)} was added: {_money(_sum(new))} on this bill."


def _add_on_removed(old: Lines, _new: Lines) -> str:
    return f"{_name(old)} is no longer on your bill (it was {_money(_sum(old))})."


def _proration(old: Lines, new: Lines) -> str:
    if any(line.kind is LineKind.PRORATION for line in new):
        return (
            "Your plan changed during this period, so this bill has partial-month charges: "
            f"{_listed(new)}."
        )
    return (
        "The last bill had partial-month charges for your plan change; "
        f"this one has the full month: {_listed(new) or 'no plan charge'}."
    )


def _late_fee(old: Lines, new: Lines) -> str:
    if new and not old:
        late = next((line.reference for line in new if line.reference), None)
        because = f" because invoice {late} was not paid in full by its due date" if late else ""
        return f"A late-payment fee of {_money(_sum(new))}{because}."
    if old and not new:
        return f"No late-payment fee this time; the last bill had one of {_money(_sum(old))}."
    return f"Late-payment fees of {_money(_sum(new))} against {_money(_sum(old))} last time."


def _one_time(old: Lines, new: Lines) -> str:
    if new and not old:
        return f"A one-time charge: {_listed(new)}; it does not repeat."
    if old and not new:
        return f"The last bill had a one-time charge that does not repeat: {_listed(old)}."
    return f"One-time charges of {_listed(new)} against {_listed(old)} last time."


def _credit(old: Lines, new: Lines) -> str:
    if new and not old:
        return f"A credit in your favour: {_listed(new)}."
    if old and not new:
        return f"The last bill had a credit that does not repeat: {_listed(old)}."
    return f"Credits of {_listed(new)} against {_listed(old)} last time."


def _discount_added(old: Lines, new: Lines) -> str:
    return f"A discount on this bill: {_listed(new)}."


def _other(old: Lines, new: Lines) -> str:
    lines = new or old
    period = lines[0].period
    when = f" for {format_range(*period)}" if period else ""
    name = _name(lines)
    if new and not old and period:
        return (
            f"{name} is charged a second time{when}: "
            f"this extra {_money(_sum(new))} looks like a billing error."
        )
    if old and not new and period:
        return f"The last bill charged {name} twice{when} ({_money(_sum(old))}); this one does not."
    return f"{name}: {_money(_sum(new))} on this bill against {_money(_sum(old))} on the last one."


def _discount_missing(old: Lines, _new: Lines) -> str:
    ends = [line.promo_end for line in old if line.promo_end is not None]
    until = f" although it runs until {format_day(max(ends))}" if ends else ""
    return f"Your discount of {_money(_sum(old))} is not on this bill{until}."


_WRITERS: dict[str, Callable[[Lines, Lines], str]] = {
    "promo_ended": _promo_ended,
    "price_change": _price_change,
    "usage_overage": _usage_overage,
    "add_on_added": _add_on_added,
    "add_on_removed": _add_on_removed,
    "proration": _proration,
    "late_fee": _late_fee,
    "one_time_charge": _one_time,
    "credit_applied": _credit,
    "discount_added": _discount_added,
}


def sentence(cause: str, group: str, old: Lines, new: Lines, tax_rate: Decimal) -> str:
    """The sentence for a change of `cause` in a group of kind `group`."""
    if cause == "tax_change":
        direction = "higher" if _sum(new) > _sum(old) else "lower"
        percent = format_quantity(tax_rate * 100)
        difference = _money(_sum(new) - _sum(old))
        return f"VAT ({percent}%) follows the charges above: {difference} {direction}."
    if cause == "other" and group == "discount" and old and not new:
        return _discount_missing(old, new)
    writer = _WRITERS.get(cause, _other)
    return writer(old, new)
