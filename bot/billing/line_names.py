"""The name of an invoice line as the customer reads it, in the customer's language.

The billing system stores each line's name in English when it issues the invoice
(`invoice_lines.description`: "Fiber 300, November 2026", "Extra data, 3 GB", "VAT 22%").
English answers show that text as stored, exactly as printed on the invoice. Any other language
names the line again from its kind and its facts (the plan's or add-on's name, the period, the
quantity and unit, the VAT rate, the late invoice) with the catalogue's `line_name.*` texts:

    Fiber 300, november 2026 · Dodatni prenos podatkov, 3 GB · DDV 22 % · Strošek zamude (INV-...)

The English `line_name.*` texts are the billing system's own formats, so the names in every
language say the same thing (a test renders every seeded line in English from its facts and
compares it with the stored text). A line whose facts do not say what it is (a fee, a credit, a
discount someone typed) keeps its stored text, or the catalogue's `name.*` translation of it
when there is one ("Installation" -> "Priključitev"). Plan names ("Fiber 300") are names: kept.

One exception reads its text: a retention discount line is linked neither to its contract nor to
its `account_discounts` row, so its percent and months are stored nowhere but in its English text.
Exactly the billing system's text ("Retention discount 10%, 6 months") is read back
(`RETENTION_TEXT`) and named again ("Popust ob odpovedi 10 %, 6 mesecev"); any other text is kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.billing.line_facts import line_facts
from bot.billing.types import LineKind
from bot.core.dates import days_in_month, months_between, next_day
from bot.core.language import Language
from bot.core.texts import Texts, product_name

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date
    from decimal import Decimal

    from bot.billing.line_facts import LineFacts
    from bot.billing.models import InvoiceLine

# The language the billing system writes `invoice_lines.description` in.
STORED_LANGUAGE = Language.EN
DEFAULT_UNIT = "GB"
# The whole text the billing system writes on a retention discount line (bot/seed/generated.py:
# f"Retention discount {percent}%, {months} months"), whole numbers without leading zeros.
RETENTION_TEXT = re.compile(r"Retention discount ([1-9][0-9]?|100)%, ([1-9][0-9]?) months")


def line_name(line: LineFacts, texts: Texts) -> str:
    """The line's name in the language of `texts`: as stored in English, else from its facts."""
    if texts.language is STORED_LANGUAGE:
        return line.description
    return rendered_name(line, texts)


def invoice_line_name(line: InvoiceLine, tax_rate: Decimal | None, texts: Texts) -> str:
    """`line_name` of a loaded line (`tax_rate`: its invoice's); in English the stored text,
    without reading the line's facts."""
    if texts.language is STORED_LANGUAGE:
        return line.description
    return rendered_name(line_facts(line, tax_rate), texts)


def rendered_name(line: LineFacts, texts: Texts) -> str:
    """The name written from the line's facts with the catalogue (in English too), or the
    stored text (through `name.*`) when its facts do not say what it is."""
    writer = _WRITERS.get(line.kind)
    name = writer(line, texts) if writer is not None else None
    return name if name is not None else product_name(texts, line.description)


def _when(period: tuple[date, date], texts: Texts) -> str:
    """ "november 2026" for a whole calendar month, else the span ("15.–30. novembra 2026")."""
    start, end = period
    same_month = (start.year, start.month) == (end.year, end.month)
    whole = same_month and start.day == 1 and end.day == days_in_month(start)
    return texts.month(start) if whole else texts.span(start, end)


def _plan_charge(line: LineFacts, texts: Texts) -> str | None:
    if line.name is None or line.period is None:
        return None
    return texts("line_name.plan_charge", plan=line.name, period=_when(line.period, texts))


def _add_on(line: LineFacts, texts: Texts) -> str | None:
    if line.name is None or line.period is None:
        return None
    name = product_name(texts, line.name)
    return texts("line_name.add_on", add_on=name, period=_when(line.period, texts))


def _usage_overage(line: LineFacts, texts: Texts) -> str:
    quantity = texts.number(line.quantity)
    return texts("line_name.usage_overage", quantity=quantity, unit=line.unit or DEFAULT_UNIT)


def _late_fee(line: LineFacts, texts: Texts) -> str:
    if line.reference is None:
        return texts("line_name.late_fee")
    return texts("line_name.late_fee.invoice", invoice=line.reference)


def _proration(line: LineFacts, texts: Texts) -> str | None:
    if line.name is None or line.period is None:
        return None
    return texts("line_name.proration", plan=line.name, period=texts.span(*line.period))


def _tax(line: LineFacts, texts: Texts) -> str | None:
    if line.tax_rate is None:
        return None
    return texts("line_name.tax", percent=texts.number(line.tax_rate * 100))


def _discount(line: LineFacts, texts: Texts) -> str | None:
    """The welcome discount of the line's contract, a retention discount from its exact stored
    text; any other discount is named as stored."""
    if line.promo_end is None or line.contract_start is None:
        return _retention(line, texts)
    months = months_between(line.contract_start, next_day(line.promo_end))
    return texts.plural("line_name.discount.welcome", months)


def _retention(line: LineFacts, texts: Texts) -> str | None:
    """ "Popust ob odpovedi 10 %, 6 mesecev" from exactly "Retention discount 10%, 6 months"."""
    match = RETENTION_TEXT.fullmatch(line.description)
    if match is None:
        return None
    percent, months = (int(group) for group in match.groups())
    return texts.plural("line_name.discount.retention", months, percent=texts.number(percent))


_WRITERS: dict[LineKind, Callable[[LineFacts, Texts], str | None]] = {
    LineKind.PLAN_CHARGE: _plan_charge,
    LineKind.ADD_ON: _add_on,
    LineKind.USAGE_OVERAGE: _usage_overage,
    LineKind.LATE_FEE: _late_fee,
    LineKind.PRORATION: _proration,
    LineKind.TAX: _tax,
    LineKind.DISCOUNT: _discount,
    # ONE_TIME_FEE and CREDIT: their stored text is their name ("Installation"), see `name.*`.
}
