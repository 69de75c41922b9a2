"""How amounts and dates read in a chat bubble."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def money(amount: str, currency: str = "EUR") -> str:
    """'39.9' -> '39.90 EUR'; negative amounts keep their sign: '-10.00 EUR'."""
    return f"{Decimal(amount).quantize(Decimal('0.01'))} {currency}"


def day(iso_date: str | None) -> str:
    """'2026-11-30' -> '30 Nov 2026'."""
    if not iso_date:
        return "-"
    value = date.fromisoformat(iso_date[:10])
    return f"{value.day} {value.strftime('%b %Y')}"


def month_name(iso_date: str) -> str:
    """'2026-10-01' -> 'October 2026'."""
    return date.fromisoformat(iso_date[:10]).strftime("%B %Y")


# A credit counts towards an invoice like a payment, so "partially paid" would mislead.
_INVOICE_STATUS = {"partially_paid": "partly paid or credited"}


def invoice_status(status: str) -> str:
    """'partially_paid' -> 'partly paid or credited'; other statuses as they are ('overdue')."""
    return _INVOICE_STATUS.get(status, status.replace("_", " "))
