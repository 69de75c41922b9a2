"""How amounts, dates and statuses read in a chat bubble, in the conversation's language.

The language is the current action call's (actions/speech.py); the formats are the shared
i18n package's (Babel): "54,17 €" and "30. 11. 2026" in Slovenian, "54.17 EUR" and
"30 Nov 2026" in English.
"""

from __future__ import annotations

import i18n
from actions.speech import current_language, text

_STATUSES = frozenset({"open", "paid", "partially_paid", "overdue"})
_PAYMENT_METHODS = frozenset({"card", "bank_transfer", "direct_debit"})


def money(amount: str, currency: str = "EUR") -> str:
    """'39.9' -> '39.90 EUR' (en), '39,90 €' (sl); negative amounts keep their sign."""
    return i18n.money(amount, current_language(), currency)


def day(iso_date: str | None) -> str:
    """'2026-11-30' -> '30 Nov 2026' (en), '30. 11. 2026' (sl)."""
    if not iso_date:
        return "-"
    return i18n.date_short(iso_date, current_language())


def long_day(iso_date: str) -> str:
    """'2026-11-30' -> '30 November 2026' (en), '30. novembra 2026' (sl)."""
    return i18n.date_long(iso_date, current_language())


def month_name(iso_date: str) -> str:
    """'2026-10-01' -> 'October 2026' (en), 'oktober 2026' (sl)."""
    return i18n.month_year(iso_date, current_language())


def invoice_status(status: str) -> str:
    """'partially_paid' -> 'partly paid or credited' (a credit counts like a payment, so
    "partially paid" would mislead); an unknown status as it is, underscores as spaces."""
    if status in _STATUSES:
        return text(f"invoice.status.{status}")
    return status.replace("_", " ")


def payment_method(method: str | None) -> str:
    """'bank_transfer' -> 'bank transfer' / 'bančno nakazilo'."""
    if method in _PAYMENT_METHODS:
        return text(f"payment.method.{method}")
    return (method or text("payment.method.other")).replace("_", " ")
