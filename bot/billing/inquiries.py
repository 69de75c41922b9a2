"""Questions about a bill: why it changed since the last one, and what one charge is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from bot.billing.accounts import account_position, load_invoice, paid_invoice_ids
from bot.billing.changes import InvoiceFacts, compare
from bot.billing.explanations import ExplanationContext, explain_line
from bot.billing.line_facts import LineFacts, line_facts
from bot.billing.line_names import line_name
from bot.billing.models import Contract, Invoice, InvoiceLine
from bot.billing.schemas import ChangeOut, ChargeList, ChargeOrigin, ChargeOut, InvoiceChanges
from bot.billing.types import LineKind
from bot.core.dates import add_months
from bot.core.errors import NotFound
from bot.core.money import format_amount
from bot.core.texts import Texts, product_name

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.billing.models import Account

DEFAULT_INVOICES = 3
_LINE_OPTIONS = selectinload(Invoice.lines).options(
    joinedload(InvoiceLine.contract).joinedload(Contract.plan),
    joinedload(InvoiceLine.add_on),
    joinedload(InvoiceLine.related_invoice),
)


def _facts(invoice: Invoice) -> InvoiceFacts:
    lines = [line_facts(line, invoice.tax_rate) for line in invoice.lines]
    return InvoiceFacts(invoice.period_start, invoice.tax_rate, lines)


def _previous(session: Session, invoice: Invoice) -> Invoice:
    previous = session.scalar(
        select(Invoice)
        .options(_LINE_OPTIONS)
        .where(
            Invoice.account_id == invoice.account_id, Invoice.period_start < invoice.period_start
        )
        .order_by(Invoice.period_start.desc(), Invoice.id.desc())
        .limit(1)
    )
    if previous is None:
        raise NotFound("this is the first invoice: there is no earlier one to compare with")
    return previous


def invoice_changes(
    session: Session, account: Account, number: str | None, texts: Texts | None = None
) -> InvoiceChanges:
    """Invoice `number` (None: the latest) against the one before, every difference explained."""
    invoice = load_invoice(session, account, number)
    previous = _previous(session, invoice)
    changes = compare(_facts(previous), _facts(invoice), texts)
    return InvoiceChanges(
        invoice_number=invoice.number,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        previous_invoice_number=previous.number,
        previous_period_start=previous.period_start,
        previous_period_end=previous.period_end,
        currency=invoice.currency,
        previous_total=format_amount(previous.total_cents),
        total=format_amount(invoice.total_cents),
        difference=format_amount(invoice.total_cents - previous.total_cents),
        changes=[
            ChangeOut(
                cause=str(change.cause),
                amount=format_amount(change.amount_cents),
                explanation=change.explanation,
                line_ids=list(change.line_ids),
                previous_line_ids=list(change.previous_line_ids),
            )
            for change in changes
        ],
    )


OriginType = Literal["plan", "add_on", "usage", "fee", "late_fee", "tax", "discount", "credit"]
_ORIGIN_TYPES: dict[LineKind, OriginType] = {
    LineKind.PLAN_CHARGE: "plan",
    LineKind.PRORATION: "plan",
    LineKind.ADD_ON: "add_on",
    LineKind.USAGE_OVERAGE: "usage",
    LineKind.ONE_TIME_FEE: "fee",
    LineKind.LATE_FEE: "late_fee",
    LineKind.TAX: "tax",
    LineKind.DISCOUNT: "discount",
    LineKind.CREDIT: "credit",
}


def origin(line: InvoiceLine, facts: LineFacts, name: str, texts: Texts) -> ChargeOrigin:
    """Where a line comes from: its plan, add-on, usage, fee, late invoice, VAT or credit; the
    plan's or add-on's name (plan names stay as they are), else the line's own `name`, in the
    language of `texts`."""
    late = line.related_invoice
    return ChargeOrigin(
        type=_ORIGIN_TYPES[line.kind],
        name=product_name(texts, facts.name) if facts.name else name,
        invoice_number=late.number if late is not None else None,
    )


def _invoices(
    session: Session, account: Account, month: date | None, limit: int
) -> Sequence[Invoice]:
    query = select(Invoice).options(_LINE_OPTIONS).where(Invoice.account_id == account.id)
    if month is not None:
        query = query.where(
            Invoice.period_start >= month, Invoice.period_start < add_months(month, 1)
        )
    order = (Invoice.period_start.desc(), Invoice.id.desc())
    return session.scalars(query.order_by(*order).limit(limit)).all()


def _matches(line: InvoiceLine, words: list[str], *texts: str) -> bool:
    """Whether every word is in the line's stored (English) name, in one of `texts` (its name
    in the request's language, explanation and origin) or in its kind."""
    haystack = " ".join([line.description, *texts, str(line.kind).replace("_", " ")]).lower()
    return all(word in haystack for word in words)


def find_charges(
    session: Session,
    account: Account,
    today: date,
    *,
    amount_cents: int | None,
    text: str | None,
    month: date | None,
    texts: Texts | None = None,
) -> ChargeList:
    """Lines of the account's invoices (of `month`, or the latest 3) matching amount and text.

    `amount_cents` matches a line's amount (its absolute value: "10.00" finds a -10.00
    discount); `text` matches when each of its words is in the line's name (as stored, in
    English, or in the language of `texts`), explanation, kind ("late fee") or origin name.
    Newest invoice first, then in invoice order.
    """
    place = account_position(session, account, today)
    paid = paid_invoice_ids(place)
    words = (text or "").lower().split()
    charges: list[ChargeOut] = []
    for invoice in _invoices(session, account, month, 1 if month else DEFAULT_INVOICES):
        ctx = ExplanationContext(
            invoice.tax_rate, invoice.currency, paid_invoice_ids=paid, texts=texts or Texts()
        )
        for line in invoice.lines:
            if amount_cents is not None and abs(line.amount_cents) != abs(amount_cents):
                continue
            facts = line_facts(line, ctx.tax_rate)
            name = line_name(facts, ctx.texts)
            explanation = explain_line(line, ctx)
            source = origin(line, facts, name, ctx.texts)
            if not _matches(line, words, name, explanation, source.name):
                continue
            charges.append(
                ChargeOut(
                    line_id=line.id,
                    invoice_number=invoice.number,
                    kind=str(line.kind),
                    description=name,
                    amount=format_amount(line.amount_cents),
                    currency=invoice.currency,
                    period_start=line.period_start or invoice.period_start,
                    period_end=line.period_end or invoice.period_end,
                    explanation=explanation,
                    origin=source,
                )
            )
    return ChargeList(charges=charges)
