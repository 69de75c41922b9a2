"""Open and list disputes. The customer's reason is stored for the agent; it is never logged
or put in the audit log. The disputed line is named in the answer's language (English: as stored,
bot.billing.line_names); the desk's lists are English."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.billing.line_facts import LINE_FACT_LOADS
from bot.billing.line_names import invoice_line_name
from bot.billing.models import Account, Invoice, InvoiceLine
from bot.core.errors import AlreadyDisputed, NotFound
from bot.core.money import format_amount
from bot.core.texts import Texts
from bot.disputes.models import Dispute
from bot.disputes.schemas import DisputeIn, DisputeList, DisputeOut, OpenDispute
from bot.disputes.types import DisputeStatus
from bot.safety.audit import audit_write
from bot.safety.idempotency import StoredResponse, commit_once, replay

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.safety.context import WriteContext

logger = logging.getLogger(__name__)
UNRESOLVED = (DisputeStatus.OPEN, DisputeStatus.IN_REVIEW)


def dispute_out(dispute: Dispute, texts: Texts | None = None) -> DisputeOut:
    """The dispute as the API returns it, its line named in the language of `texts` (English, as
    stored, by default); the line's contract, add-on and late invoice are loaded with it."""
    return DisputeOut(
        id=dispute.id,
        status=str(dispute.status),
        invoice_number=dispute.invoice.number,
        line_id=dispute.line_id,
        line_description=invoice_line_name(
            dispute.line, dispute.invoice.tax_rate, texts or Texts()
        ),
        amount=format_amount(dispute.line.amount_cents),
        currency=dispute.invoice.currency,
        reason=dispute.reason,
        created_at=dispute.created_at,
        updated_at=dispute.updated_at,
    )


def _line(session: Session, ctx: WriteContext, body: DisputeIn) -> InvoiceLine:
    line = session.scalar(
        select(InvoiceLine)
        .options(*LINE_FACT_LOADS)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.account_id == ctx.account.id,
            Invoice.number == body.invoice_number,
            InvoiceLine.id == body.line_id,
        )
    )
    if line is None:
        raise NotFound("no such line on an invoice of this account")
    return line


def create_dispute(
    session: Session, ctx: WriteContext, body: DisputeIn, texts: Texts | None = None
) -> StoredResponse:
    """Open a dispute on one line of one of the account's invoices (201, status `open`); the
    answer names the line in the language of `texts` (a replay answers as first stored)."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    line = _line(session, ctx, body)
    existing = session.scalar(
        select(Dispute.id).where(Dispute.line_id == line.id, Dispute.status.in_(UNRESOLVED))
    )
    if existing is not None:
        raise AlreadyDisputed(f"this line is already disputed (dispute {existing})")
    dispute = Dispute(
        account_id=ctx.account.id,
        invoice_id=line.invoice_id,
        line_id=line.id,
        reason=body.reason,
        status=DisputeStatus.OPEN,
        conversation_id=ctx.conversation_id,
        created_by=ctx.actor,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(dispute)
    session.flush()
    session.refresh(dispute, ["invoice", "line"])
    audit_write(
        session,
        ctx,
        action="dispute.opened",
        reason="the customer disputes an invoice line",
        details={
            "dispute_id": dispute.id,
            "invoice_number": body.invoice_number,
            "line_id": line.id,
        },
    )
    result = commit_once(session, ctx.idempotency, ctx.now, 201, dispute_out(dispute, texts))
    if not result.replayed:
        logger.info("dispute.opened", extra={"account_id": ctx.account.id})
    return result


def list_disputes(session: Session, account: Account, texts: Texts | None = None) -> DisputeList:
    """The account's disputes, newest first, their lines named in the language of `texts`."""
    rows = session.scalars(
        select(Dispute)
        .options(joinedload(Dispute.invoice), joinedload(Dispute.line).options(*LINE_FACT_LOADS))
        .where(Dispute.account_id == account.id)
        .order_by(Dispute.created_at.desc(), Dispute.id.desc())
    ).all()
    return DisputeList(disputes=[dispute_out(d, texts) for d in rows])


def open_disputes(session: Session, limit: int = 100) -> list[OpenDispute]:
    """Disputes waiting for a person (`open` or `in_review`) across accounts, oldest first."""
    rows = session.execute(
        select(Dispute, Account.account_number)
        .join(Account, Account.id == Dispute.account_id)
        .options(joinedload(Dispute.invoice), joinedload(Dispute.line).options(*LINE_FACT_LOADS))
        .where(Dispute.status.in_(UNRESOLVED))
        .order_by(Dispute.created_at, Dispute.id)
        .limit(limit)
    ).all()
    return [OpenDispute(account_number=number, **dispute_out(d).model_dump()) for d, number in rows]
