"""Why a bill changed: two invoices compared line by line, every difference given a cause.

Pure functions over `LineFacts`, so the invariant is property-tested without a database:
the lines of both invoices are split into groups (the plan, the discount, each add-on, usage,
each one-time fee, late fees, each credit, VAT, and every repeated charge on its own); each
group whose sum changed is one `Change`, so the changes add up exactly to the total difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.billing.change_sentences import sentence
from bot.billing.line_facts import LineFacts
from bot.billing.types import LineKind
from bot.core.texts import Texts

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date
    from decimal import Decimal

GroupKey = tuple[str, str]


class Cause(StrEnum):
    PROMO_ENDED = "promo_ended"
    PRICE_CHANGE = "price_change"
    USAGE_OVERAGE = "usage_overage"
    ADD_ON_ADDED = "add_on_added"
    ADD_ON_REMOVED = "add_on_removed"
    PRORATION = "proration"
    LATE_FEE = "late_fee"
    ONE_TIME_CHARGE = "one_time_charge"
    TAX_CHANGE = "tax_change"
    CREDIT_APPLIED = "credit_applied"
    DISCOUNT_ADDED = "discount_added"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    period_start: date
    tax_rate: Decimal
    lines: Sequence[LineFacts]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class Group:
    """The lines of one group on the previous and on the current invoice."""

    key: GroupKey
    previous: tuple[LineFacts, ...]
    current: tuple[LineFacts, ...]

    @property
    def delta_cents(self) -> int:
        return sum(x.amount_cents for x in self.current) - sum(
            x.amount_cents for x in self.previous
        )


@dataclass(frozen=True, slots=True)
class Change:
    cause: Cause
    amount_cents: int
    explanation: str
    line_ids: tuple[int, ...]
    previous_line_ids: tuple[int, ...]


_RECURRING = frozenset({LineKind.PLAN_CHARGE, LineKind.ADD_ON, LineKind.PRORATION})


def repeated_lines(lines: Iterable[LineFacts]) -> set[int]:
    """Ids of recurring charges that repeat an earlier line (same thing, same period)."""
    seen: set[tuple[object, ...]] = set()
    repeats: set[int] = set()
    for line in sorted(lines, key=lambda item: item.id):
        if line.kind not in _RECURRING or line.period is None:
            continue
        identity = (line.kind, line.contract_id, line.add_on_id, line.period)
        if identity in seen:
            repeats.add(line.id)
        seen.add(identity)
    return repeats


def _key(line: LineFacts, repeats: set[int]) -> GroupKey:
    if line.id in repeats:
        return ("repeat", str(line.id))
    match line.kind:
        case LineKind.PLAN_CHARGE | LineKind.PRORATION:
            return ("plan", "")
        case LineKind.ADD_ON:
            return ("add_on", str(line.add_on_id or line.description))
        case LineKind.ONE_TIME_FEE:
            return ("fee", line.description)
        case LineKind.CREDIT:
            return ("credit", line.description)
        case _:
            return (str(line.kind), "")


def group_lines(previous: InvoiceFacts, current: InvoiceFacts) -> list[Group]:
    """Every line of both invoices in exactly one group, in order of first appearance."""
    keyed: dict[GroupKey, tuple[list[LineFacts], list[LineFacts]]] = {}
    for index, invoice in enumerate((previous, current)):
        repeats = repeated_lines(invoice.lines)
        for line in invoice.lines:
            keyed.setdefault(_key(line, repeats), ([], []))[index].append(line)
    return [Group(key, tuple(old), tuple(new)) for key, (old, new) in keyed.items()]


def _discount_cause(group: Group, current: InvoiceFacts) -> Cause:
    if group.delta_cents < 0:
        return Cause.DISCOUNT_ADDED
    ends = [line.promo_end for line in group.previous if line.promo_end is not None]
    if ends and max(ends) >= current.period_start:
        return Cause.OTHER  # the promotion still runs: its discount is missing
    return Cause.PROMO_ENDED


def cause_of(group: Group, current: InvoiceFacts) -> Cause:
    """The reason a group's amount changed."""
    kind, _ = group.key
    lines = group.previous + group.current
    if kind == "plan":
        prorated = any(line.kind is LineKind.PRORATION for line in lines)
        return Cause.PRORATION if prorated else Cause.PRICE_CHANGE
    if kind == "add_on":
        if not group.previous:
            return Cause.ADD_ON_ADDED
        return Cause.PRICE_CHANGE if group.current else Cause.ADD_ON_REMOVED
    if kind == "discount":
        return _discount_cause(group, current)
    simple = {
        "usage_overage": Cause.USAGE_OVERAGE,
        "late_fee": Cause.LATE_FEE,
        "tax": Cause.TAX_CHANGE,
        "fee": Cause.ONE_TIME_CHARGE,
        "credit": Cause.CREDIT_APPLIED,
    }
    return simple.get(kind, Cause.OTHER)


def compare(
    previous: InvoiceFacts, current: InvoiceFacts, texts: Texts | None = None
) -> list[Change]:
    """The changes from `previous` to `current`, biggest first and VAT last, explained in the
    language of `texts` (English by default).

    Their amounts add up exactly to `current.total_cents - previous.total_cents`.
    """
    texts = texts or Texts()
    changes = []
    for group in group_lines(previous, current):
        if group.delta_cents == 0:
            continue
        cause = cause_of(group, current)
        changes.append(
            Change(
                cause=cause,
                amount_cents=group.delta_cents,
                explanation=sentence(
                    cause, group.key[0], group.previous, group.current, current.tax_rate, texts
                ),
                line_ids=tuple(line.id for line in group.current),
                previous_line_ids=tuple(line.id for line in group.previous),
            )
        )
    return sorted(
        changes, key=lambda c: (c.cause is Cause.TAX_CHANGE, -abs(c.amount_cents), c.line_ids)
    )
