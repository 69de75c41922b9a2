"""Crediting a finding: exactly its amount, once, within the bot's authority.

`decide_credit` is the rule as a pure function (property-tested): an open finding within the
limit is credited for exactly its amount; above the limit it is escalated to a person; a
credited, escalated or dismissed finding is never credited again. The amount always comes
from the stored finding, never from the request.

`credit_finding` applies it: idempotency replay first (a retry gets the first answer even after
the step-up expired), then, under the account's lock, the cumulative rules of
bot.review.allowance (what the bot credited the account within CREDIT_LIMIT_WINDOW_DAYS counts
against BOT_CREDIT_LIMIT: beyond it the finding is escalated; an invoice never gets more credit
than it charged), the state checks, step-up, and the credit. The status change is a conditional
update (`open` -> `credited`), so two concurrent requests with different keys credit once; the
other one gets `already_credited`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from bot.billing.accounts import account_position
from bot.billing.models import Adjustment
from bot.billing.types import AdjustmentKind
from bot.commerce.types import Tier
from bot.core.errors import AlreadyCredited, BeyondAuthority, FindingClosed, NotFound
from bot.core.money import format_amount, format_money
from bot.review.allowance import DEFAULT_WINDOW_DAYS, credit_room, record_grant
from bot.review.models import Finding
from bot.review.schemas import CreditDetail, CreditOut
from bot.review.types import FindingStatus
from bot.safety.audit import audit_write, record_audit
from bot.safety.idempotency import StoredResponse, commit_once, replay
from bot.safety.step_up import require_step_up

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.safety.context import WriteContext

logger = logging.getLogger(__name__)


class CreditAction(StrEnum):
    CREDIT = "credit"
    ESCALATE = "escalate"
    ALREADY_CREDITED = "already_credited"
    ALREADY_ESCALATED = "already_escalated"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class CreditDecision:
    action: CreditAction
    amount_cents: int = 0  # what to credit (only for CREDIT)


def decide_credit(status: FindingStatus, amount_cents: int, limit_cents: int) -> CreditDecision:
    """What to do with a request to credit a finding of `amount_cents` in `status`."""
    if status is FindingStatus.CREDITED:
        return CreditDecision(CreditAction.ALREADY_CREDITED)
    if status is FindingStatus.DISMISSED:
        return CreditDecision(CreditAction.CLOSED)
    if status is FindingStatus.ESCALATED:
        return CreditDecision(CreditAction.ALREADY_ESCALATED)
    if amount_cents <= 0:
        return CreditDecision(CreditAction.CLOSED)
    if amount_cents > limit_cents:
        return CreditDecision(CreditAction.ESCALATE)
    return CreditDecision(CreditAction.CREDIT, amount_cents)


def _load(session: Session, ctx: WriteContext, finding_id: int) -> Finding:
    finding = session.scalar(
        select(Finding)
        .options(joinedload(Finding.invoice))
        .where(Finding.id == finding_id, Finding.account_id == ctx.account.id)
    )
    if finding is None:
        raise NotFound("no such finding for this account")
    return finding


def _move(session: Session, finding: Finding, old: FindingStatus, **values: object) -> bool:
    """Set `values` on the finding if it is still in `old`; False if someone else moved it."""
    result = session.execute(
        update(Finding)
        .where(Finding.id == finding.id, Finding.status == old)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _details(finding: Finding) -> dict[str, object]:
    return {
        "finding_id": finding.id,
        "rule": str(finding.rule),
        "invoice_number": finding.invoice.number,
        "amount_cents": finding.amount_cents,
    }


def _escalate(session: Session, ctx: WriteContext, finding: Finding, why: str) -> None:
    if _move(
        session, finding, FindingStatus.OPEN, status=FindingStatus.ESCALATED, updated_at=ctx.now
    ):
        audit_write(session, ctx, action="finding.escalated", reason=why, details=_details(finding))
        session.commit()
        logger.info("finding.escalated", extra={"account_id": ctx.account.id})
    raise BeyondAuthority(f"{why}; a colleague will review it")


def _refuse(decision: CreditDecision, finding: Finding) -> None:
    if decision.action is CreditAction.ALREADY_CREDITED:
        raise AlreadyCredited("this finding has already been credited")
    if decision.action is CreditAction.ALREADY_ESCALATED:
        raise BeyondAuthority("this finding is beyond the bot's authority; a colleague has it")
    if decision.action is CreditAction.CLOSED:
        raise FindingClosed(f"this finding is {finding.status} and cannot be credited")


def credit_finding(
    session: Session,
    ctx: WriteContext,
    finding_id: int,
    limit_cents: int,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> StoredResponse:
    """Credit the finding's exact amount to the account (see the module docstring)."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    finding = _load(session, ctx, finding_id)
    room = credit_room(
        session,
        account_id=ctx.account.id,
        invoice=finding.invoice,
        tier=Tier.BOT,
        limit_cents=limit_cents,
        window_days=window_days,
        now=ctx.now,
    )
    decision = decide_credit(finding.status, finding.amount_cents, room.role_remaining_cents)
    if decision.action is CreditAction.ESCALATE:
        if finding.amount_cents > limit_cents:
            why = (
                f"a credit of {format_money(finding.amount_cents)} is more than the bot may "
                f"grant ({format_money(limit_cents)})"
            )
        else:
            why = room.role_message(finding.amount_cents)
        _escalate(session, ctx, finding, why)
    _refuse(decision, finding)
    room.check_invoice(decision.amount_cents)
    require_step_up(session, ctx)
    credit = Adjustment(
        account_id=ctx.account.id,
        invoice_id=finding.invoice_id,
        kind=AdjustmentKind.CREDIT,
        amount_cents=decision.amount_cents,
        reason=f"Correction ({finding.rule}) on {finding.invoice.number}, finding {finding.id}",
        created_at=ctx.now,
    )
    session.add(credit)
    session.flush()
    values = {"status": FindingStatus.CREDITED, "adjustment_id": credit.id, "updated_at": ctx.now}
    if not _move(session, finding, FindingStatus.OPEN, **values):
        session.rollback()
        raise AlreadyCredited("this finding has already been credited")
    record_grant(session, credit, Tier.BOT, ctx.actor)
    audit_write(
        session, ctx, action="finding.credited", reason=finding.summary, details=_details(finding)
    )
    balance = account_position(session, ctx.account, ctx.now.date()).balance_cents
    body = CreditOut(
        finding_id=finding.id,
        status="credited",
        credit=CreditDetail(
            id=credit.id,
            amount=format_amount(credit.amount_cents),
            currency=finding.invoice.currency,
            invoice_number=finding.invoice.number,
            created_at=ctx.now,
        ),
        balance=format_amount(balance),
    )
    result = commit_once(session, ctx.idempotency, ctx.now, 201, body)
    if not result.replayed:
        logger.info("finding.credited", extra={"account_id": ctx.account.id})
    return result


def dismiss_finding(
    session: Session, finding_id: int, *, actor: str, reason: str, now: datetime
) -> None:
    """A person decided the finding is not an error (the desk); audited."""
    finding = session.scalar(
        select(Finding).options(joinedload(Finding.invoice)).where(Finding.id == finding_id)
    )
    if finding is None:
        raise NotFound("no such finding")
    if finding.status is FindingStatus.CREDITED:
        raise AlreadyCredited("a credited finding cannot be dismissed")
    finding.status = FindingStatus.DISMISSED
    finding.updated_at = now
    record_audit(
        session,
        actor=actor,
        action="finding.dismissed",
        account_id=finding.account_id,
        conversation_id=None,
        reason=reason,
        details={"finding_id": finding.id, "rule": str(finding.rule)},
        now=now,
    )
    session.commit()
