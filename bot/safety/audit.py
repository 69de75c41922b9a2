"""The audit log: every write records who did it, what, to which account, when and why.

    record_audit(
        session,
        actor=BOT_ACTOR,                      # bot.safety.actors; or agent_actor(7)
        action="finding.credited",            # <thing>.<past tense verb>
        account_id=account.id,
        conversation_id=conversation_id,
        reason="duplicate charge on INV-100002-202611",
        details={"finding_id": 3, "amount_cents": 1219},
        now=now,
    )

A write service that holds a `WriteContext` passes it instead of its parts:

    audit_write(session, ctx, action="finding.credited", reason=..., details={...})

The entry is added to the caller's session and committed with the write it describes, so a
write without its audit entry (or the reverse) cannot happen. `details` must be JSON data
(dates and Decimals are turned into strings); never put codes, tokens or customer text in it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any, Final

from bot.safety.actors import is_actor
from bot.safety.models import AuditEntry

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.safety.context import WriteContext

logger = logging.getLogger(__name__)
_ACTION = re.compile(r"[a-z_]+(\.[a-z_]+)+")
_REASON_LENGTH: Final = 500


def _json_safe(details: Mapping[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = json.loads(json.dumps(dict(details), default=str))
    return safe


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    account_id: int | None,
    conversation_id: str | None,
    reason: str,
    details: Mapping[str, Any],
    now: datetime,
) -> AuditEntry:
    """Add one audit entry to `session` (the caller commits it together with its write)."""
    if not is_actor(actor):
        raise ValueError(f"actor must be 'bot' or 'agent:<id>', got {actor!r}")
    if not _ACTION.fullmatch(action):
        raise ValueError(f"action must look like 'thing.verb', got {action!r}")
    entry = AuditEntry(
        created_at=now,
        actor=actor,
        action=action,
        account_id=account_id,
        conversation_id=conversation_id,
        reason=reason[:_REASON_LENGTH],
        details=_json_safe(details),
    )
    session.add(entry)
    logger.info(
        "audit.recorded",
        extra={"action": action, "account_id": account_id, "conversation_id": conversation_id},
    )
    return entry


def audit_write(
    session: Session,
    ctx: WriteContext,
    *,
    action: str,
    reason: str,
    details: Mapping[str, Any],
) -> AuditEntry:
    """`record_audit` for a write made in `ctx`: its actor, account, conversation and time."""
    return record_audit(
        session,
        actor=ctx.actor,
        action=action,
        account_id=ctx.account.id,
        conversation_id=ctx.conversation_id,
        reason=reason,
        details=details,
        now=ctx.now,
    )
