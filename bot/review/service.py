"""The fair-treatment review of an account: run the rules, keep what they find.

* `run_review` - the service function (the "customer complains" path and the API): stores new
  findings (one per rule and offending line, so a second run adds nothing), audits, commits.
* `review_request` - the same behind an Idempotency-Key, for `POST .../reviews`.
* `list_findings` - an account's findings; `findings_with_status` - across accounts (the desk).

A finding keeps its summary as a phrase (`evidence["phrase"]`) with the line's name as the billing
system stored it, in English; read in another language, the phrase names the line again from the
line itself (bot.billing.line_names), loaded in the query that loads the finding.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from bot.billing.line_facts import LINE_FACT_LOADS
from bot.billing.line_names import STORED_LANGUAGE, invoice_line_name
from bot.billing.models import InvoiceLine
from bot.core.errors import NotFound
from bot.core.money import format_amount
from bot.core.texts import Phrase, Texts
from bot.review.facts import load_facts
from bot.review.models import Finding
from bot.review.rules import RULES, run_rules
from bot.review.schemas import FindingList, FindingOut, ReviewOut
from bot.review.types import FindingStatus
from bot.safety.actors import BOT_ACTOR
from bot.safety.audit import record_audit
from bot.safety.idempotency import StoredResponse, commit_once, replay

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.review.rules.base import Draft
    from bot.safety.context import WriteContext

logger = logging.getLogger(__name__)


# Loads a finding's invoice and its line with what the line's name needs, in the finding's query.
_FINDING_LOADS = (
    joinedload(Finding.invoice),
    joinedload(Finding.line).options(*LINE_FACT_LOADS),
)


def finding_text(finding: Finding, texts: Texts) -> str:
    """The finding's summary in the language of `texts` (the stored English one for a finding
    stored before findings kept their phrase), its line named in that language."""
    phrase = finding.evidence.get("phrase")
    if not isinstance(phrase, dict):
        return finding.summary
    return texts.render(_line_named(Phrase.from_json(phrase), finding, texts))


def _line_named(phrase: Phrase, finding: Finding, texts: Texts) -> Phrase:
    """The phrase with its line's name (`description`, the stored English text of the finding's
    line) written in the language of `texts`; as stored in English, or when the phrase names
    no line or another text than its line's (`finding.line` is loaded with the finding)."""
    stored = phrase.values.get("description")
    if texts.language is STORED_LANGUAGE or stored is None or finding.line is None:
        return phrase
    line = finding.line
    if stored != line.description:
        return phrase
    name = invoice_line_name(line, finding.invoice.tax_rate, texts)
    return Phrase(phrase.key, {**phrase.values, "description": name})


def finding_out(finding: Finding, limit_cents: int, texts: Texts | None = None) -> FindingOut:
    """The finding as the API returns it, its summary in English unless `texts` says otherwise."""
    allowed = finding.status is FindingStatus.OPEN and finding.amount_cents <= limit_cents
    return FindingOut(
        id=finding.id,
        rule=str(finding.rule),
        status=str(finding.status),
        invoice_number=finding.invoice.number,
        line_ids=list(finding.evidence.get("line_ids", [finding.line_id])),
        amount=format_amount(finding.amount_cents),
        net_amount=format_amount(finding.net_cents),
        vat=format_amount(finding.vat_cents),
        currency=finding.invoice.currency,
        summary=finding.summary if texts is None else finding_text(finding, texts),
        evidence=finding.evidence,
        bot_can_credit=allowed,
        created_at=finding.created_at,
    )


def _stored_findings(session: Session, account_id: int) -> dict[str, Finding]:
    rows = session.scalars(
        select(Finding).options(*_FINDING_LOADS).where(Finding.account_id == account_id)
    )
    return {finding.dedup_key: finding for finding in rows}


def _new_finding(account_id: int, draft: Draft, now: datetime) -> Finding:
    return Finding(
        account_id=account_id,
        invoice_id=draft.invoice.id,
        line_id=draft.line_id,
        rule=draft.rule,
        dedup_key=draft.dedup_key,
        net_cents=draft.net_cents,
        vat_cents=draft.vat_cents,
        amount_cents=draft.amount_cents,
        summary=draft.summary[:400],
        evidence={
            "line_ids": list(draft.line_ids),
            **draft.evidence,
            "phrase": draft.phrase.to_json(),
        },
        status=FindingStatus.OPEN,
        adjustment_id=None,
        created_at=now,
        updated_at=now,
    )


def _review(
    session: Session,
    account: Account,
    now: datetime,
    *,
    actor: str,
    conversation_id: str | None,
    invoice_number: str | None,
    limit_cents: int,
    texts: Texts | None = None,
) -> ReviewOut:
    """Run every rule and add the new findings and the audit entry (not committed)."""
    facts = load_facts(session, [account.id])[account.id]
    if invoice_number is not None and all(i.number != invoice_number for i in facts.invoices):
        raise NotFound("no such invoice for this account")
    drafts = run_rules(facts, invoice_number)
    stored = _stored_findings(session, account.id)
    new = [_new_finding(account.id, d, now) for d in drafts if d.dedup_key not in stored]
    session.add_all(new)
    session.flush()
    by_key = {**stored, **{f.dedup_key: f for f in new}}
    findings = [by_key[d.dedup_key] for d in drafts]
    if new:  # the new findings' lines and invoices in one query, not one per finding
        ids = {finding.line_id for finding in new}
        query = select(InvoiceLine).options(joinedload(InvoiceLine.invoice), *LINE_FACT_LOADS)
        lines = {line.id: line for line in session.scalars(query.where(InvoiceLine.id.in_(ids)))}
        for finding in new:  # a finding's line lies on its invoice (`Draft`)
            line = lines[finding.line_id] if finding.line_id is not None else None
            set_committed_value(finding, "line", line)
            if line is not None and line.invoice_id == finding.invoice_id:
                set_committed_value(finding, "invoice", line.invoice)
    record_audit(
        session,
        actor=actor,
        action="review.run",
        account_id=account.id,
        conversation_id=conversation_id,
        reason="fair-treatment review of the account's invoices",
        details={
            "invoice_number": invoice_number,
            "finding_ids": [f.id for f in findings],
            "new_finding_ids": [f.id for f in new],
        },
        now=now,
    )
    checked = 1 if invoice_number else len(facts.invoices)
    return ReviewOut(
        invoices_checked=checked,
        rules=[str(rule) for rule in RULES],
        new_findings=len(new),
        findings=[finding_out(f, limit_cents, texts) for f in findings],
    )


def run_review(
    session: Session,
    account: Account,
    now: datetime,
    *,
    limit_cents: int,
    actor: str = BOT_ACTOR,
    conversation_id: str | None = None,
    invoice_number: str | None = None,
) -> ReviewOut:
    """Review the account (or one invoice), store new findings, audit, commit.

    If a concurrent review stored the same findings first, this one runs again and finds them.
    """
    review = partial(
        _review,
        session,
        account,
        now,
        actor=actor,
        conversation_id=conversation_id,
        invoice_number=invoice_number,
        limit_cents=limit_cents,
    )
    try:
        result = review()
        session.commit()
    except IntegrityError:
        session.rollback()
        result = review()
        session.commit()
    logger.info("review.done", extra={"account_id": account.id, "rows": result.new_findings})
    return result


def review_request(
    session: Session,
    ctx: WriteContext,
    invoice_number: str | None,
    limit_cents: int,
    texts: Texts | None = None,
) -> StoredResponse:
    """`run_review` behind the request's Idempotency-Key."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    result = _review(
        session,
        ctx.account,
        ctx.now,
        actor=ctx.actor,
        conversation_id=ctx.conversation_id,
        invoice_number=invoice_number,
        limit_cents=limit_cents,
        texts=texts,
    )
    return commit_once(session, ctx.idempotency, ctx.now, 200, result)


def list_findings(
    session: Session,
    account: Account,
    limit_cents: int,
    status: FindingStatus | None = None,
    texts: Texts | None = None,
) -> FindingList:
    """The account's findings, newest first."""
    query = select(Finding).options(*_FINDING_LOADS).where(Finding.account_id == account.id)
    if status is not None:
        query = query.where(Finding.status == status)
    rows = session.scalars(query.order_by(Finding.id.desc())).all()
    return FindingList(findings=[finding_out(f, limit_cents, texts) for f in rows])


def findings_with_status(
    session: Session, status: FindingStatus, limit: int = 100
) -> Sequence[Finding]:
    """Findings in `status` across accounts, oldest first (escalated ones wait for the desk)."""
    return session.scalars(
        select(Finding)
        .options(joinedload(Finding.invoice))
        .where(Finding.status == status)
        .order_by(Finding.updated_at, Finding.id)
        .limit(limit)
    ).all()
