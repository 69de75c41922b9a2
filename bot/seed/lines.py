"""One month's invoice lines, derived from the contracts, add-ons, usage and fees of a spec.

Prices are net; the last line is 22 % VAT on all the others, rounded half-up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from bot.billing.models import UsageRecord
from bot.billing.types import LineKind
from bot.core.dates import days_in_month, format_range, months_between, next_day
from bot.core.money import percent_of, prorate, round_to_cents
from bot.review.types import RuleName
from bot.seed.catalog import LATE_FEE_CENTS, VAT_RATE
from bot.seed.memo import format_month, month_end

DUPLICATE_CHARGE = str(RuleName.DUPLICATE_CHARGE)
LATE_FEE_PAID_ON_TIME = str(RuleName.LATE_FEE_PAID_ON_TIME)
ABOVE_CONTRACT_PRICE = str(RuleName.ABOVE_CONTRACT_PRICE)
PROMO_NOT_APPLIED = str(RuleName.PROMO_NOT_APPLIED)

if TYPE_CHECKING:
    from datetime import date

    from bot.seed.onboarding import OpenAccount
    from bot.seed.spec import ContractSpec, SeededError

_QUANTITY_PLACES = Decimal("0.0001")
_VAT_DESCRIPTION = f"VAT {VAT_RATE * 100:.0f}%"


@cache
def _vat(net_cents: int) -> int:
    """VAT on a month's net amount (memoised: far fewer distinct amounts than invoices)."""
    return percent_of(net_cents, VAT_RATE)


@dataclass(frozen=True, slots=True)
class Line:
    kind: LineKind
    description: str
    amount_cents: int
    quantity: Decimal = Decimal(1)
    unit_price_cents: int | None = None  # defaults to the amount
    period: tuple[date, date] | None = None
    contract_id: int | None = None
    add_on_id: int | None = None
    related_invoice_id: int | None = None
    error_rule: str | None = None  # a seeded billing error (recorded as ground truth)


@dataclass(frozen=True, slots=True)
class LateInvoice:
    invoice_id: int
    number: str


def _full_month(
    contract: ContractSpec, contract_id: int, start: date, end: date, error: SeededError | None
) -> list[Line]:
    plan = contract.plan
    overpriced = error is not None and error.rule == ABOVE_CONTRACT_PRICE
    no_promo = error is not None and error.rule == PROMO_NOT_APPLIED
    lines = [
        Line(
            LineKind.PLAN_CHARGE,
            f"{plan.name}, {format_month(start)}",
            plan.price_cents + (error.extra_cents if error and overpriced else 0),
            period=(start, end),
            contract_id=contract_id,
            error_rule=error.rule if error and (overpriced or no_promo) else None,
        )
    ]
    promo_end = contract.promo_end
    if no_promo:
        return lines
    if contract.promo_price_cents is not None and promo_end is not None and end <= promo_end:
        months = months_between(contract.start, next_day(promo_end))
        lines.append(
            Line(
                LineKind.DISCOUNT,
                f"Welcome discount ({months} months)",
                contract.promo_price_cents - plan.price_cents,
                period=(start, end),
                contract_id=contract_id,
            )
        )
    return lines


def _part_month(contract: ContractSpec, contract_id: int, first: date, last: date) -> Line:
    plan = contract.plan
    days, month_days = (last - first).days + 1, days_in_month(first)
    return Line(
        LineKind.PRORATION,
        f"{plan.name}, {format_range(first, last)} (partial month)",
        prorate(plan.price_cents, days, month_days),
        quantity=(Decimal(days) / month_days).quantize(_QUANTITY_PLACES),
        unit_price_cents=plan.price_cents,
        period=(first, last),
        contract_id=contract_id,
    )


def _contract_lines(account: OpenAccount, start: date, end: date) -> list[Line]:
    lines: list[Line] = []
    for contract, contract_id in account.contracts:
        first, last = max(contract.start, start), min(contract.end, end)
        if first > last:
            continue
        if (first, last) == (start, end):
            error = account.spec.seeded_errors.get(start)
            lines += _full_month(contract, contract_id, start, end, error)
        else:
            lines.append(_part_month(contract, contract_id, first, last))
    return lines


def _usage_lines(account: OpenAccount, start: date, end: date) -> list[Line]:
    """Records the month's usage; a line only for GB beyond the allowance."""
    covering = [(c, cid) for c, cid in account.contracts if c.start <= end <= c.end]
    used = account.spec.usage_gb.get(start)
    if not covering or used is None or covering[-1][0].plan.allowance_gb is None:
        return []
    contract, contract_id = covering[-1]
    allowance = contract.plan.allowance_gb or 0
    over = max(0, used - allowance)
    account.rows.add(
        UsageRecord,
        account_id=account.account_id,
        period_month=start,
        unit="GB",
        quantity=Decimal(used),
        included=Decimal(allowance),
        overage_quantity=Decimal(over),
    )
    price = contract.plan.overage_cents
    if not over or price is None:
        return []
    amount = round_to_cents(Decimal(over) * price / 100)
    return [
        Line(
            LineKind.USAGE_OVERAGE,
            f"Extra data, {over} GB",
            amount,
            quantity=Decimal(over),
            unit_price_cents=price,
            period=(start, end),
            contract_id=contract_id,
        )
    ]


def _add_on_lines(account: OpenAccount, start: date, end: date) -> list[Line]:
    return [
        Line(
            LineKind.ADD_ON,
            f"{item.add_on.name}, {format_month(start)}",
            item.add_on.price_cents,
            period=(start, end),
            add_on_id=item.add_on.id,
        )
        for item in account.spec.add_ons
        if item.start <= start and (item.end is None or item.end >= end)
    ]


def _late_fee(late: LateInvoice, error_rule: str | None = None) -> Line:
    return Line(
        LineKind.LATE_FEE,
        f"Late-payment fee ({late.number})",
        LATE_FEE_CENTS,
        related_invoice_id=late.invoice_id,
        error_rule=error_rule,
    )


def _other_lines(
    account: OpenAccount, start: date, late: LateInvoice | None, wrong_fee: LateInvoice | None
) -> list[Line]:
    spec = account.spec
    lines = [
        Line(LineKind.ONE_TIME_FEE, fee.description, fee.cents) for fee in spec.fees.get(start, [])
    ]
    if late is not None:
        lines.append(_late_fee(late))
    if wrong_fee is not None:
        lines.append(_late_fee(wrong_fee, LATE_FEE_PAID_ON_TIME))
    for extra in spec.extra_lines.get(start, []):
        lines.append(
            Line(
                extra.kind,
                extra.description,
                extra.amount_cents,
                period=(start, month_end(start)) if extra.add_on else None,
                add_on_id=extra.add_on.id if extra.add_on else None,
                error_rule=extra.error_rule,
            )
        )
    return lines


def _repeated_charge(lines: list[Line]) -> list[Line]:
    """A seeded duplicate: the month's first add-on charge again, else its plan charge."""
    recurring = [x for x in lines if x.kind is LineKind.ADD_ON] + [
        x for x in lines if x.kind in (LineKind.PLAN_CHARGE, LineKind.PRORATION)
    ]
    return [replace(recurring[0], error_rule=DUPLICATE_CHARGE)] if recurring else []


def month_lines(
    account: OpenAccount,
    start: date,
    late: LateInvoice | None,
    wrong_fee: LateInvoice | None = None,
) -> list[Line]:
    """Every line of the invoice for the month starting `start`, the VAT line last.

    `wrong_fee` is a seeded error: a late fee for an invoice that was paid on time.
    """
    end = month_end(start)
    lines = _contract_lines(account, start, end)
    lines += _add_on_lines(account, start, end)
    lines += _usage_lines(account, start, end)
    lines += _other_lines(account, start, late, wrong_fee)
    error = account.spec.seeded_errors.get(start)
    if error is not None and error.rule == DUPLICATE_CHARGE:
        lines += _repeated_charge(lines)
    net = sum(line.amount_cents for line in lines)
    lines.append(Line(LineKind.TAX, _VAT_DESCRIPTION, _vat(net)))
    return lines
