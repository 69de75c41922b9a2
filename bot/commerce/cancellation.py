"""Cancellation terms and requests.

Terms on a day: notice given today ends the service `notice_days` (CANCELLATION_NOTICE_DAYS, 30)
later. The contract's early-termination fee is due when that date is before the contract's end
date; a contract without an end date, or one that ends by then, costs nothing to leave.

A request (step-up) records `requested` with the reason, the effective date and the fee as
quoted, and is audited; a person or the billing run completes it. One pending request at a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.commerce.history import current_contract
from bot.commerce.models import CancellationRequest
from bot.commerce.schemas import CancellationOut, CancellationTermsOut
from bot.commerce.types import CancellationStatus
from bot.core.errors import AlreadyPending
from bot.core.money import format_amount
from bot.safety.audit import audit_write
from bot.safety.idempotency import commit_once, replay
from bot.safety.step_up import require_step_up

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.safety.context import WriteContext
    from bot.safety.idempotency import StoredResponse

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CancellationTerms:
    effective_date: date
    fee_cents: int

    @property
    def fee_applies(self) -> bool:
        return self.fee_cents > 0


def cancellation_terms(
    contract_end: date | None, fee_cents: int, today: date, notice_days: int
) -> CancellationTerms:
    """When service would end if notice were given today, and the fee for leaving then."""
    effective = today + timedelta(days=notice_days)
    early = contract_end is not None and effective < contract_end
    return CancellationTerms(effective, fee_cents if early else 0)


def _pending(session: Session, account: Account) -> CancellationRequest | None:
    return session.scalar(
        select(CancellationRequest)
        .where(
            CancellationRequest.account_id == account.id,
            CancellationRequest.status == CancellationStatus.REQUESTED,
        )
        .order_by(CancellationRequest.id.desc())
        .limit(1)
    )


def _request_out(row: CancellationRequest, currency: str) -> CancellationOut:
    return CancellationOut(
        id=row.id,
        status=row.status.value,
        effective_date=row.effective_date,
        early_termination_fee=format_amount(row.early_termination_fee_cents),
        currency=currency,
        requested_at=row.requested_at,
    )


def _terms_for(
    session: Session, account: Account, today: date, notice_days: int
) -> tuple[CancellationTerms, date | None, int | None]:
    contract = current_contract(session, account, today)
    end = None if contract is None else contract.end_date
    fee = 0 if contract is None else contract.early_termination_fee_cents
    terms = cancellation_terms(end, fee, today, notice_days)
    return terms, end, None if contract is None else contract.id


def terms(
    session: Session, account: Account, today: date, notice_days: int
) -> CancellationTermsOut:
    """The terms of leaving if notice is given today, and any pending request."""
    quoted, end, _ = _terms_for(session, account, today, notice_days)
    pending = _pending(session, account)
    return CancellationTermsOut(
        contract_end_date=end,
        notice_days=notice_days,
        effective_date=quoted.effective_date,
        early_termination_fee=format_amount(quoted.fee_cents),
        fee_applies=quoted.fee_applies,
        currency=account.currency,
        pending_request=None if pending is None else _request_out(pending, account.currency),
    )


def _details(row: CancellationRequest) -> dict[str, object]:
    return {
        "cancellation_id": row.id,
        "contract_id": row.contract_id,
        "effective_date": row.effective_date,
        "early_termination_fee_cents": row.early_termination_fee_cents,
    }


def request_cancellation(
    session: Session, ctx: WriteContext, reason: str, notice_days: int
) -> StoredResponse:
    """Record a cancellation request (needs step-up); 201, audited."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    require_step_up(session, ctx)
    if _pending(session, ctx.account) is not None:
        raise AlreadyPending("a cancellation request is already pending for this account")
    quoted, _, contract_id = _terms_for(session, ctx.account, ctx.now.date(), notice_days)
    row = CancellationRequest(
        account_id=ctx.account.id,
        contract_id=contract_id,
        conversation_id=ctx.conversation_id or None,
        status=CancellationStatus.REQUESTED,
        reason=reason,
        effective_date=quoted.effective_date,
        early_termination_fee_cents=quoted.fee_cents,
        actor=ctx.actor,
        requested_at=ctx.now,
    )
    session.add(row)
    session.flush()
    audit_write(
        session,
        ctx,
        action="cancellation.requested",
        reason="customer asked to cancel",  # their own words stay in cancellation_requests
        details=_details(row),
    )
    body = _request_out(row, ctx.account.currency)
    logger.info(
        "cancellation.requested",
        extra={"conversation_id": ctx.conversation_id, "account_id": ctx.account.id},
    )
    return commit_once(session, ctx.idempotency, ctx.now, 201, body)
