"""A late fee for an invoice that was paid in full by its due date.

"Paid by its due date" counts the payments made for that invoice on or before its due date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.money import format_amount
from bot.core.texts import Day, Money, Phrase
from bot.review.rules.base import Draft, line_evidence, lines_with_invoices
from bot.review.types import RuleName

if TYPE_CHECKING:
    from bot.review.facts import AccountFacts


def late_fee_paid_on_time(facts: AccountFacts) -> list[Draft]:
    drafts = []
    for line, invoice in lines_with_invoices(facts):
        if line.kind != "late_fee" or line.related_invoice_id is None or line.amount_cents <= 0:
            continue
        late = facts.invoice(line.related_invoice_id)
        if late is None:
            continue
        paid = facts.paid_by_due.get(late.id, 0)
        if paid < late.total_cents:
            continue
        drafts.append(
            Draft(
                rule=RuleName.LATE_FEE_PAID_ON_TIME,
                invoice=invoice,
                line_ids=(line.id,),
                net_cents=line.amount_cents,
                phrase=Phrase(
                    "finding.late_fee_paid_on_time",
                    {
                        "amount": Money(line.amount_cents),
                        "invoice": late.number,
                        "due": Day(late.due_date),
                    },
                ),
                evidence={
                    "fee": line_evidence(line, invoice),
                    "late_invoice": late.number,
                    "due_date": late.due_date.isoformat(),
                    "invoice_total": format_amount(late.total_cents),
                    "paid_by_due_date": format_amount(paid),
                },
            )
        )
    return drafts
