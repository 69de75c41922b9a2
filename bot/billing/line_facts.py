"""`LineFacts`: what `changes` (the comparison) and `change_sentences` read of an invoice line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    from bot.billing.types import LineKind


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the comparison needs to know about one invoice line."""

    id: int
    kind: LineKind
    description: str
    amount_cents: int
    quantity: Decimal
    unit_price_cents: int
    period: tuple[date, date] | None = None
    contract_id: int | None = None
    add_on_id: int | None = None
    name: str | None = None  # the plan's or add-on's name
    promo_end: date | None = None  # of the line's contract
    reference: str | None = None  # a late fee's late invoice number
