"""Payment arrangements of a verified account: what is possible, and setting one up.

The limits come from the `arrangements` section of the discount policy file (rules in
`arrangement_rules`). An arrangement is active while its last instalment's due date has not
passed; it is recorded with its schedule and audited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.billing.accounts import account_position
from bot.commerce.arrangement_rules import (
    ArrangementOptions,
    Instalment,
    arrangement_options,
    plan_schedule,
)
from bot.commerce.models import ArrangementInstalment, PaymentArrangement
from bot.commerce.schemas import (
    ArrangementOptionOut,
    ArrangementOptionsOut,
    ArrangementOut,
    ArrangementQuoteOut,
    InstalmentOut,
)
from bot.commerce.types import ArrangementKind, ArrangementStatus
from bot.core.errors import AlreadyPending, NothingOwed
from bot.core.money import format_amount
from bot.core.texts import Texts
from bot.safety.audit import audit_write
from bot.safety.idempotency import commit_once, replay
from bot.safety.step_up import require_step_up

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.commerce.policy import ArrangementPolicy
    from bot.commerce.schemas import ArrangementIn
    from bot.safety.context import WriteContext
    from bot.safety.idempotency import StoredResponse

logger = logging.getLogger(__name__)


def has_active_arrangement(session: Session, account: Account, today: date) -> bool:
    last_due = (
        select(func.max(ArrangementInstalment.due_date))
        .where(ArrangementInstalment.arrangement_id == PaymentArrangement.id)
        .scalar_subquery()
    )
    found = session.scalar(
        select(PaymentArrangement.id)
        .where(
            PaymentArrangement.account_id == account.id,
            PaymentArrangement.status == ArrangementStatus.ACTIVE,
            last_due >= today,
        )
        .limit(1)
    )
    return found is not None


def _options(
    session: Session, account: Account, today: date, policy: ArrangementPolicy
) -> ArrangementOptions:
    place = account_position(session, account, today)
    active = has_active_arrangement(session, account, today)
    return arrangement_options(policy, place.balance_cents, place.next_due_date, active, today)


def options(
    session: Session,
    account: Account,
    today: date,
    policy: ArrangementPolicy,
    texts: Texts | None = None,
) -> ArrangementOptionsOut:
    """What the account may set up today (no options, with the reason, when nothing)."""
    found = _options(session, account, today, policy)
    choices = [
        ArrangementOptionOut(
            kind="extend_due_date", max_days=found.max_extension_days, instalments=None
        ),
        ArrangementOptionOut(
            kind="split", max_days=None, instalments=list(found.instalment_counts)
        ),
    ]
    return ArrangementOptionsOut(
        eligible=found.eligible,
        reason=(texts or Texts())(found.reason_key),
        balance=format_amount(found.balance_cents),
        currency=account.currency,
        base_date=found.base_date,
        options=choices if found.eligible else [],
    )


def _arrangement_out(row: PaymentArrangement, currency: str) -> ArrangementOut:
    return ArrangementOut(
        id=row.id,
        kind=row.kind.value,
        status=row.status.value,
        total=format_amount(row.total_cents),
        currency=currency,
        instalments=[
            InstalmentOut(
                number=item.number, due_date=item.due_date, amount=format_amount(item.amount_cents)
            )
            for item in row.instalments
        ],
    )


def _details(row: PaymentArrangement) -> dict[str, object]:
    return {
        "arrangement_id": row.id,
        "kind": row.kind.value,
        "total_cents": row.total_cents,
        "due_dates": [item.due_date for item in row.instalments],
    }


def _schedule(
    found: ArrangementOptions, request: ArrangementIn
) -> tuple[ArrangementKind, list[Instalment]]:
    if not found.eligible:
        error = AlreadyPending if found.has_active else NothingOwed
        raise error(f"no payment arrangement possible: {found.reason}")
    kind = ArrangementKind(request.kind)
    return kind, plan_schedule(found, kind, request.days, request.instalments)


def quote_arrangement(
    session: Session,
    account: Account,
    today: date,
    request: ArrangementIn,
    policy: ArrangementPolicy,
) -> ArrangementQuoteOut:
    """The schedule `request` would get today, every date and amount; nothing is written."""
    found = _options(session, account, today, policy)
    kind, schedule = _schedule(found, request)
    return ArrangementQuoteOut(
        kind=kind.value,
        total=format_amount(found.balance_cents),
        currency=account.currency,
        instalments=[
            InstalmentOut(
                number=item.number, due_date=item.due_date, amount=format_amount(item.amount_cents)
            )
            for item in schedule
        ],
    )


def create_arrangement(
    session: Session, ctx: WriteContext, request: ArrangementIn, policy: ArrangementPolicy
) -> StoredResponse:
    """Set up an arrangement within the limits (needs step-up); 201, audited."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    require_step_up(session, ctx)
    found = _options(session, ctx.account, ctx.now.date(), policy)
    kind, schedule = _schedule(found, request)
    row = PaymentArrangement(
        account_id=ctx.account.id,
        conversation_id=ctx.conversation_id or None,
        kind=kind,
        status=ArrangementStatus.ACTIVE,
        total_cents=found.balance_cents,
        extension_days=request.days,
        actor=ctx.actor,
        created_at=ctx.now,
        instalments=[
            ArrangementInstalment(
                number=item.number, due_date=item.due_date, amount_cents=item.amount_cents
            )
            for item in schedule
        ],
    )
    session.add(row)
    session.flush()
    audit_write(
        session,
        ctx,
        action="arrangement.created",
        reason=f"customer arranged to pay {format_amount(row.total_cents)} later",
        details=_details(row),
    )
    body = _arrangement_out(row, ctx.account.currency)
    logger.info("arrangement.created", extra={"account_id": ctx.account.id, "outcome": kind.value})
    return commit_once(session, ctx.idempotency, ctx.now, 201, body)
