"""What a person at the desk may grant: credits up to their role's limit, discounts within
their tier of the discount policy. Checked here on every request (the page only hides buttons).

    authority_of(agent, config, policy)          # limits for GET /desk/api/me
    grant_credit_as_agent(session, ticket_id, agent, body, config, now)
    grant_discount_as_agent(session, ticket_id, agent, body, policy, now)

Both need a ticket the agent has claimed (a supervisor: any claimed ticket) with a verified
account; they act on that account only. A credit is either a review finding of the account
(open, or escalated by the bot) for exactly its amount, or a goodwill amount on one of the
account's invoices. Above the role's limit (AGENT_CREDIT_LIMIT, SUPERVISOR_CREDIT_LIMIT) or
beyond the tier: BeyondAgentAuthority (403 `beyond_authority`).

The limits hold cumulatively (bot.review.allowance, bot.commerce.stacking), checked under the
account's lock: all agents together (and all supervisors together) credit an account at most
their role's limit within CREDIT_LIMIT_WINDOW_DAYS (403 `authority_used_up`); an invoice never
gets more credit than it charged, counting the bot's credits too (409 `credit_exceeds_invoice`);
discounts running in the same months never add up beyond the tier (403 `authority_used_up`).
Each refusal says what remains. Credits are recorded as adjustments and audited like the bot's
(actor `agent:<id>`, the ticket's conversation id).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from bot.billing.accounts import account_position
from bot.billing.models import Account, Adjustment, Invoice
from bot.billing.types import AdjustmentKind
from bot.commerce.grants import grant_discount
from bot.commerce.types import Tier
from bot.core.errors import (
    AlreadyCredited,
    BeyondAgentAuthority,
    BeyondAuthority,
    FindingClosed,
    InvalidRequest,
    NotFound,
    NotVerified,
)
from bot.core.money import format_amount, format_money, parse_amount
from bot.desk.handling import require_handler
from bot.desk.records import get_ticket
from bot.desk.schemas import CreditGrantOut, DiscountGrantOut
from bot.desk.types import AgentRole
from bot.review.allowance import credit_room, record_grant
from bot.review.credits import CreditAction, decide_credit
from bot.review.models import Finding
from bot.review.types import FindingStatus
from bot.safety.actors import agent_actor
from bot.safety.audit import record_audit
from bot.safety.idempotency import IdempotentRequest, commit_once, replay

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.commerce.policy import DiscountPolicy, TierLimits
    from bot.desk.config import DeskConfig
    from bot.desk.models import Agent, HandoffTicket
    from bot.desk.schemas import CreditIn, DiscountIn
    from bot.review.allowance import CreditRoom

logger = logging.getLogger(__name__)
CREDITABLE = (FindingStatus.OPEN, FindingStatus.ESCALATED)


@dataclass(frozen=True, slots=True)
class Authority:
    credit_limit_cents: int
    tier: Tier
    discount_limits: TierLimits


def tier_of(role: AgentRole) -> Tier:
    return Tier.SUPERVISOR if role is AgentRole.SUPERVISOR else Tier.AGENT


def authority_of(agent: Agent, config: DeskConfig, policy: DiscountPolicy) -> Authority:
    tier = tier_of(agent.role)
    return Authority(config.credit_limit_cents(agent.role), tier, policy.limits(tier))


def check_credit(amount_cents: int, limit_cents: int) -> None:
    """Raise unless a credit of `amount_cents` is positive and within `limit_cents`."""
    decision = decide_credit(FindingStatus.OPEN, amount_cents, limit_cents)
    if decision.action is CreditAction.ESCALATE:
        raise BeyondAgentAuthority(
            f"a credit of {format_money(amount_cents)} is above your limit of "
            f"{format_money(limit_cents)}; ask a supervisor"
        )
    if decision.action is not CreditAction.CREDIT:
        raise InvalidRequest("a credit must be a positive amount")


def _ticket_account(
    session: Session, ticket_id: int, agent: Agent
) -> tuple[HandoffTicket, Account]:
    ticket = get_ticket(session, ticket_id)
    require_handler(ticket, agent)
    account = session.get(Account, ticket.account_id) if ticket.account_id is not None else None
    if account is None:
        raise NotVerified("this customer is not verified; nothing can be granted on the ticket")
    return ticket, account


def _room(
    session: Session,
    account: Account,
    invoice: Invoice,
    agent: Agent,
    limit: int,
    window_days: int,
    now: datetime,
) -> CreditRoom:
    """What the invoice and the agent's role still allow (takes the account's lock)."""
    return credit_room(
        session,
        account_id=account.id,
        invoice=invoice,
        tier=tier_of(agent.role),
        limit_cents=limit,
        window_days=window_days,
        now=now,
    )


def _finding(session: Session, account: Account, finding_id: int) -> Finding:
    finding = session.scalar(
        select(Finding)
        .options(joinedload(Finding.invoice))
        .where(Finding.id == finding_id, Finding.account_id == account.id)
    )
    if finding is None:
        raise NotFound("no such finding for this account")
    if finding.status is FindingStatus.CREDITED:
        raise AlreadyCredited("this finding has already been credited")
    if finding.status not in CREDITABLE:
        raise FindingClosed(f"this finding is {finding.status} and cannot be credited")
    return finding


def _credit_finding(
    session: Session,
    ticket: HandoffTicket,
    account: Account,
    agent: Agent,
    finding_id: int,
    limit: int,
    window_days: int,
    now: datetime,
) -> tuple[Adjustment, Finding]:
    finding = _finding(session, account, finding_id)
    check_credit(finding.amount_cents, limit)
    _room(session, account, finding.invoice, agent, limit, window_days, now).check(
        finding.amount_cents
    )
    credit = Adjustment(
        account_id=account.id,
        invoice_id=finding.invoice_id,
        kind=AdjustmentKind.CREDIT,
        amount_cents=finding.amount_cents,
        reason=f"Correction ({finding.rule}) on {finding.invoice.number}, finding {finding.id}",
        created_at=now,
    )
    session.add(credit)
    session.flush()
    record_grant(session, credit, tier_of(agent.role), agent_actor(agent.id))
    moved = session.execute(
        update(Finding)
        .where(Finding.id == finding.id, Finding.status == finding.status)
        .values(status=FindingStatus.CREDITED, adjustment_id=credit.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(moved, "rowcount", 0) or 0) != 1:
        session.rollback()
        raise AlreadyCredited("this finding has already been credited")
    session.refresh(finding)  # the conditional update bypassed the loaded object
    _audit(
        session,
        ticket,
        agent,
        "finding.credited",
        finding.summary,
        now,
        finding_id=finding.id,
        rule=str(finding.rule),
        invoice_number=finding.invoice.number,
        amount_cents=finding.amount_cents,
    )
    return credit, finding


def _goodwill(
    session: Session,
    ticket: HandoffTicket,
    account: Account,
    agent: Agent,
    body: CreditIn,
    limit: int,
    window_days: int,
    now: datetime,
) -> tuple[Adjustment, Invoice]:
    try:
        amount = parse_amount(body.amount or "")
    except ValueError:
        raise InvalidRequest("amount must look like 5.00") from None
    if not body.reason.strip():
        raise InvalidRequest("a goodwill credit needs a reason")
    invoice = session.scalar(
        select(Invoice).where(
            Invoice.number == body.invoice_number, Invoice.account_id == account.id
        )
    )
    if invoice is None:
        raise NotFound("no such invoice for this account")
    check_credit(amount, limit)
    _room(session, account, invoice, agent, limit, window_days, now).check(amount)
    credit = Adjustment(
        account_id=account.id,
        invoice_id=invoice.id,
        kind=AdjustmentKind.CREDIT,
        amount_cents=amount,
        reason=f"Goodwill on {invoice.number}: {body.reason.strip()}"[:200],
        created_at=now,
    )
    session.add(credit)
    session.flush()
    record_grant(session, credit, tier_of(agent.role), agent_actor(agent.id))
    _audit(
        session,
        ticket,
        agent,
        "credit.granted",
        body.reason,
        now,
        kind="goodwill",
        invoice_number=invoice.number,
        amount_cents=amount,
        adjustment_id=credit.id,
    )
    return credit, invoice


def _audit(
    session: Session,
    ticket: HandoffTicket,
    agent: Agent,
    action: str,
    reason: str,
    now: datetime,
    **details: object,
) -> None:
    record_audit(
        session,
        actor=agent_actor(agent.id),
        action=action,
        account_id=ticket.account_id,
        conversation_id=ticket.conversation_id,
        reason=reason,
        details={"ticket_id": ticket.id, **details},
        now=now,
    )


def grant_credit_as_agent(
    session: Session,
    ticket_id: int,
    agent: Agent,
    body: CreditIn,
    config: DeskConfig,
    now: datetime,
    idempotency: IdempotentRequest | None = None,
) -> CreditGrantOut:
    """Credit a finding (`finding_id`) or a goodwill `amount` on `invoice_number`; committed.

    With an Idempotency-Key a retried request gets the first answer and credits nothing more."""
    stored = replay(session, idempotency)
    if stored is not None:
        return CreditGrantOut.model_validate(stored.body)
    ticket, account = _ticket_account(session, ticket_id, agent)
    limit, window = config.credit_limit_cents(agent.role), config.credit_window_days
    if body.finding_id is not None and body.amount is None and body.invoice_number is None:
        credit, finding = _credit_finding(
            session, ticket, account, agent, body.finding_id, limit, window, now
        )
        number, finding_id = finding.invoice.number, finding.id
    elif body.finding_id is None and body.amount is not None and body.invoice_number:
        credit, invoice = _goodwill(session, ticket, account, agent, body, limit, window, now)
        number, finding_id = invoice.number, None
    else:
        raise InvalidRequest("give either finding_id, or amount with invoice_number")
    session.flush()
    balance = account_position(session, account, now.date()).balance_cents
    out = CreditGrantOut(
        ticket_id=ticket.id,
        adjustment_id=credit.id,
        finding_id=finding_id,
        invoice_number=number,
        amount=format_amount(credit.amount_cents),
        currency=account.currency,
        balance=format_amount(balance),
    )
    answer = commit_once(session, idempotency, now, 201, out)
    if not answer.replayed:
        logger.info(
            "desk.credit_granted",
            extra={"account_id": account.id, "conversation_id": ticket.conversation_id},
        )
    return CreditGrantOut.model_validate(answer.body)


def grant_discount_as_agent(
    session: Session,
    ticket_id: int,
    agent: Agent,
    body: DiscountIn,
    policy: DiscountPolicy,
    now: datetime,
    idempotency: IdempotentRequest | None = None,
) -> DiscountGrantOut:
    """A discount within the agent's tier (bot.commerce.grants.grant_discount); committed.

    With an Idempotency-Key a retried request gets the first answer and grants nothing more."""
    stored = replay(session, idempotency)
    if stored is not None:
        return DiscountGrantOut.model_validate(stored.body)
    ticket, account = _ticket_account(session, ticket_id, agent)
    tier = tier_of(agent.role)
    try:
        discount = grant_discount(
            session,
            account,
            policy,
            agent_id=agent.id,
            percent=body.percent,
            months=body.months,
            reason=body.reason,
            now=now,
            tier=tier,
            conversation_id=ticket.conversation_id,
        )
    except BeyondAgentAuthority:
        raise  # already the desk's error (stacking: AuthorityUsedUp)
    except BeyondAuthority as error:
        raise BeyondAgentAuthority(error.message) from None
    out = DiscountGrantOut(
        ticket_id=ticket.id,
        percent=discount.percent,
        monthly_amount=format_amount(discount.monthly_amount_cents),
        months=discount.months,
        start_date=discount.start_date,
        end_date=discount.end_date,
        currency=account.currency,
        tier="supervisor" if tier is Tier.SUPERVISOR else "agent",
    )
    # The grant is committed already; the answer is kept under the key for a retry.
    return DiscountGrantOut.model_validate(commit_once(session, idempotency, now, 201, out).body)
