"""`WriteContext`: everything a write service needs to know about who asks, built by the API.

def create_dispute(session: Session, ctx: WriteContext, body: DisputeIn) -> StoredResponse:
    stored = replay(session, ctx.idempotency)
    ...
    require_step_up(session, ctx)                  # when it moves money or a contract
    audit_write(session, ctx, action=..., reason=..., details=...)  # actor, account, now
    return commit_once(session, ctx.idempotency, ctx.now, 201, DisputeOut(...))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.safety.actors import BOT_ACTOR

if TYPE_CHECKING:
    from datetime import datetime

    from bot.billing.models import Account
    from bot.safety.idempotency import IdempotentRequest


@dataclass(frozen=True, slots=True)
class WriteContext:
    """A verified conversation acting on its account at `now`."""

    account: Account
    conversation_id: str
    now: datetime
    actor: str = BOT_ACTOR
    idempotency: IdempotentRequest | None = None
