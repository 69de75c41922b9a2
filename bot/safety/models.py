"""Tables of the write-safety layer: audit log, idempotency keys, one-time codes, outbox.

They share `Base` (and so the naming convention and the Alembic metadata) with the billing tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.base import Base, string_enum
from bot.safety.types import ChallengeState, OutboxChannel, OutboxStatus

JsonDict = dict[str, Any]


class AuditEntry(Base):
    """Who (`bot` or `agent:<id>`) did what to which account, when, why, in which conversation."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(500))
    details: Mapped[JsonDict] = mapped_column(JSON)


class IdempotencyRecord(Base):
    """The first successful response to a write, replayed for retries with the same key."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    route: Mapped[str] = mapped_column(String(200))  # "POST /api/v1/accounts/{acct}/disputes"
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of path, conversation, body
    status_code: Mapped[int]
    response_body: Mapped[JsonDict] = mapped_column(JSON)
    created_at: Mapped[datetime]


class StepUpChallenge(Base):
    """A one-time code sent to a contact on file. Only an HMAC of the code is kept."""

    __tablename__ = "step_up_challenges"
    __table_args__ = (Index(None, "conversation_id", "account_id"), Index(None, "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    conversation_id: Mapped[str] = mapped_column(String(255))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    failed_attempts: Mapped[int]
    state: Mapped[ChallengeState] = mapped_column(string_enum(ChallengeState, "challenge_state"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class StepUpGrant(Base):
    """A conversation that answered a code for an account, until `expires_at`."""

    __tablename__ = "step_up_grants"
    __table_args__ = (Index(None, "conversation_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    conversation_id: Mapped[str] = mapped_column(String(255))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("step_up_challenges.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to a customer, written in the same transaction as what caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    channel: Mapped[OutboxChannel] = mapped_column(string_enum(OutboxChannel, "outbox_channel"))
    recipient: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(string_enum(OutboxStatus, "outbox_status"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
