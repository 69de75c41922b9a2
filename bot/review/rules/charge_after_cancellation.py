"""A charge for a service after it ended: an add-on billed for a period after the add-on's end
date (and no other subscription of it covers that period), or a plan billed for a period that
starts after the contract's cancellation date."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.texts import Day, Money, Phrase, Span
from bot.review.rules.base import Draft, line_evidence, lines_with_invoices
from bot.review.types import RuleName

if TYPE_CHECKING:
    from datetime import date

    from bot.review.facts import AccountFacts, FactInvoice, FactLine


def _add_on_ended(facts: AccountFacts, add_on_id: int, start: date, end: date) -> date | None:
    """The end date of the add-on, if it had ended before `start` (else None)."""
    subscriptions = [s for s in facts.subscriptions if s.add_on_id == add_on_id]
    covering = [s for s in subscriptions if s.start <= start and (s.end is None or s.end >= end)]
    ends = [s.end for s in subscriptions if s.end is not None and s.end < start]
    return max(ends) if ends and not covering else None


def _ended_on(facts: AccountFacts, line: FactLine, start: date, end: date) -> date | None:
    if line.kind == "add_on" and line.add_on_id is not None:
        return _add_on_ended(facts, line.add_on_id, start, end)
    if line.kind in ("plan_charge", "proration") and line.contract_id is not None:
        contract = facts.contracts.get(line.contract_id)
        cancelled = contract.cancelled_on if contract else None
        if cancelled is not None and start > cancelled:
            return cancelled
    return None


def _draft(line: FactLine, invoice: FactInvoice, ended: date, start: date, end: date) -> Draft:
    return Draft(
        rule=RuleName.CHARGE_AFTER_CANCELLATION,
        invoice=invoice,
        line_ids=(line.id,),
        net_cents=line.amount_cents,
        phrase=Phrase(
            "finding.charge_after_cancellation",
            {
                "description": line.description,
                "amount": Money(line.amount_cents),
                "period": Span(start, end),
                "ended": Day(ended),
            },
        ),
        evidence={"line": line_evidence(line, invoice), "service_ended_on": ended.isoformat()},
    )


def charge_after_cancellation(facts: AccountFacts) -> list[Draft]:
    drafts = []
    for line, invoice in lines_with_invoices(facts):
        start, end = line.period_start, line.period_end
        if start is None or end is None or line.amount_cents <= 0:
            continue
        ended = _ended_on(facts, line, start, end)
        if ended is not None:
            drafts.append(_draft(line, invoice, ended, start, end))
    return drafts
