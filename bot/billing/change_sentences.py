"""One plain sentence per bill change, written from the lines of its group on both invoices,
in the language of `texts` (catalogue keys `change.*`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.billing.line_names import line_name
from bot.billing.types import LineKind
from bot.core.texts import Texts, product_name

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from decimal import Decimal

    from bot.billing.line_facts import LineFacts

    Lines = Sequence[LineFacts]


def _sum(lines: Lines) -> int:
    return sum(line.amount_cents for line in lines)


def _money(texts: Texts, cents: int) -> str:
    return texts.money(abs(cents))


def _name(texts: Texts, lines: Lines) -> str:
    """The plan's or add-on's name of the group, else its first line's name."""
    found = next((line.name for line in lines if line.name), None)
    return product_name(texts, found) if found else line_name(lines[0], texts)


def _listed(texts: Texts, lines: Lines) -> str:
    return ", ".join(
        texts(
            "list.item",
            description=line_name(line, texts),
            amount=_money(texts, line.amount_cents),
        )
        for line in lines
    )


def _promo_ended(t: Texts, old: Lines, new: Lines) -> str:
    ends = [line.promo_end for line in old if line.promo_end is not None]
    if not ends:
        return t("change.promo_ended.other", lines=_listed(t, old))
    if new:
        return t("change.promo_ended.smaller", new=_listed(t, new), old=_listed(t, old))
    return t("change.promo_ended", amount=_money(t, _sum(old)), day=t.day(max(ends)))


def _price_change(t: Texts, old: Lines, new: Lines) -> str:
    if not old:
        return t("change.price_change.new", lines=_listed(t, new))
    if not new:
        return t("change.price_change.gone", lines=_listed(t, old))
    before, after = _name(t, old), _name(t, new)
    old_amount, new_amount = _money(t, _sum(old)), _money(t, _sum(new))
    if before != after:
        return t(
            "change.price_change.plan", before=before, old=old_amount, after=after, new=new_amount
        )
    return t("change.price_change", name=after, new=new_amount, old=old_amount)


def _usage(t: Texts, lines: Lines) -> str:
    quantity = sum((line.quantity for line in lines), start=0 * lines[0].quantity)
    return t("change.usage", quantity=t.number(quantity), amount=_money(t, _sum(lines)))


def _usage_overage(t: Texts, old: Lines, new: Lines) -> str:
    if not old:
        return t("change.usage.new", usage=_usage(t, new))
    if not new:
        return t("change.usage.gone", usage=_usage(t, old))
    key = "change.usage.more" if _sum(new) > _sum(old) else "change.usage.less"
    return t(key, new=_usage(t, new), old=_usage(t, old))


def _add_on_added(t: Texts, _old: Lines, new: Lines) -> str:
    return t("change.add_on_added", name=_name(t, new), amount=_money(t, _sum(new)))


def _add_on_removed(t: Texts, old: Lines, _new: Lines) -> str:
    return t("change.add_on_removed", name=_name(t, old), amount=_money(t, _sum(old)))


def _proration(t: Texts, old: Lines, new: Lines) -> str:
    if any(line.kind is LineKind.PRORATION for line in new):
        return t("change.proration.now", lines=_listed(t, new))
    listed = _listed(t, new) or t("change.proration.no_plan_charge")
    return t("change.proration.before", lines=listed)


def _late_fee(t: Texts, old: Lines, new: Lines) -> str:
    if new and not old:
        late = next((line.reference for line in new if line.reference), None)
        amount = _money(t, _sum(new))
        if late:
            return t("change.late_fee.new_because", amount=amount, invoice=late)
        return t("change.late_fee.new", amount=amount)
    if old and not new:
        return t("change.late_fee.gone", amount=_money(t, _sum(old)))
    return t("change.late_fee", new=_money(t, _sum(new)), old=_money(t, _sum(old)))


def _one_time(t: Texts, old: Lines, new: Lines) -> str:
    if new and not old:
        return t("change.one_time.new", lines=_listed(t, new))
    if old and not new:
        return t("change.one_time.gone", lines=_listed(t, old))
    return t("change.one_time", new=_listed(t, new), old=_listed(t, old))


def _credit(t: Texts, old: Lines, new: Lines) -> str:
    if new and not old:
        return t("change.credit.new", lines=_listed(t, new))
    if old and not new:
        return t("change.credit.gone", lines=_listed(t, old))
    return t("change.credit", new=_listed(t, new), old=_listed(t, old))


def _discount_added(t: Texts, _old: Lines, new: Lines) -> str:
    return t("change.discount_added", lines=_listed(t, new))


def _other(t: Texts, old: Lines, new: Lines) -> str:
    lines = new or old
    period = lines[0].period
    name = _name(t, lines)
    if new and not old and period:
        return t("change.repeat", name=name, period=t.span(*period), amount=_money(t, _sum(new)))
    if old and not new and period:
        return t(
            "change.repeat.gone", name=name, period=t.span(*period), amount=_money(t, _sum(old))
        )
    return t("change.other", name=name, new=_money(t, _sum(new)), old=_money(t, _sum(old)))


def _discount_missing(t: Texts, old: Lines) -> str:
    ends = [line.promo_end for line in old if line.promo_end is not None]
    amount = _money(t, _sum(old))
    if ends:
        return t("change.discount_missing.until", amount=amount, day=t.day(max(ends)))
    return t("change.discount_missing", amount=amount)


_WRITERS: dict[str, Callable[[Texts, Lines, Lines], str]] = {
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


def sentence(
    cause: str, group: str, old: Lines, new: Lines, tax_rate: Decimal, texts: Texts
) -> str:
    """The sentence for a change of `cause` in a group of kind `group`."""
    if cause == "tax_change":
        key = "change.tax.higher" if _sum(new) > _sum(old) else "change.tax.lower"
        difference = _money(texts, _sum(new) - _sum(old))
        return texts(key, percent=texts.number(tax_rate * 100), amount=difference)
    if cause == "other" and group == "discount" and old and not new:
        return _discount_missing(texts, old)
    writer = _WRITERS.get(cause, _other)
    return writer(texts, old, new)
