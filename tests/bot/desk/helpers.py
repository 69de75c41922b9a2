"""Builders shared by the desk tests: agents on duty, verified conversations, fabricated tickets."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.billing.models import Account, VerifiedSession
from bot.desk.models import Agent, AgentSession, HandoffTicket
from bot.desk.schemas import HandoffIn
from bot.desk.types import AgentRole, HandoffReason, TicketStatus

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

_numbers = count(1)


def agent(
    session: Session,
    now: datetime,
    *,
    role: AgentRole = AgentRole.AGENT,
    on_duty: bool = True,
    seen_ago: timedelta = timedelta(seconds=10),
    logged_in: bool = True,
    name: str | None = None,
) -> Agent:
    """An agent (no real password: these tests do not log in), on duty and seen recently by
    default, with a live desk session when `logged_in`."""
    number = next(_numbers)
    row = Agent(
        username=f"agent{number}",
        display_name=name or f"Agent {number}",
        role=role,
        password_hash="not-a-hash",
        on_duty=on_duty,
        last_seen_at=now - seen_ago,
        created_at=now - timedelta(days=1),
    )
    session.add(row)
    session.flush()
    if logged_in:
        session.add(
            AgentSession(
                agent_id=row.id,
                token_hash=f"{number:064d}",
                csrf_token="csrf",
                created_at=now - timedelta(hours=1),
                last_seen_at=now - seen_ago,
                expires_at=now + timedelta(hours=8),
                ended_at=None,
            )
        )
    session.commit()
    return row


def account(session: Session, number: str) -> Account:
    return session.scalars(select(Account).where(Account.account_number == number)).one()


def verify(
    session: Session,
    conversation_id: str,
    number: str,
    now: datetime,
    *,
    expires_in: timedelta = timedelta(hours=1),
    revoked: bool = False,
) -> Account:
    """A verified session of `conversation_id` for account `number` (as POST /verifications)."""
    found = account(session, number)
    session.add(
        VerifiedSession(
            conversation_id=conversation_id,
            account_id=found.id,
            created_at=now - timedelta(minutes=1),
            expires_at=now + expires_in,
            revoked_at=now if revoked else None,
        )
    )
    session.commit()
    return found


def handoff(conversation_id: str = "conv-1", **fields: Any) -> HandoffIn:
    body: dict[str, Any] = {
        "conversation_id": conversation_id,
        "channel": "socketio",
        "reason": "customer_request",
        **fields,
    }
    return HandoffIn.model_validate(body)


def ticket(
    session: Session,
    created_at: datetime,
    *,
    status: TicketStatus = TicketStatus.QUEUED,
    reason: HandoffReason = HandoffReason.CUSTOMER_REQUEST,
    priority: int = 1,
    conversation_id: str | None = None,
    **fields: Any,
) -> HandoffTicket:
    """A ticket written directly (fabricated history), committed."""
    conversation = conversation_id or f"fab-{next(_numbers)}"
    is_open = status in (TicketStatus.QUEUED, TicketStatus.CLAIMED, TicketStatus.CALLBACK)
    row = HandoffTicket(
        conversation_id=conversation,
        open_conversation_id=conversation if is_open else None,
        channel="socketio",
        account_id=None,
        verified=False,
        reason=reason,
        priority=priority,
        summary="",
        intents=[],
        slots={},
        status=status,
        created_at=created_at,
        **fields,
    )
    session.add(row)
    session.commit()
    return row
