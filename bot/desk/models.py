"""Tables of the desk: agents, their login sessions, handoff tickets and ticket messages.

They share `Base` (naming convention, Alembic metadata) with the billing tables. Timestamps are
UTC. A ticket is open while `queued`, `claimed` or `callback`; `open_conversation_id` holds the
conversation id exactly then (NULL otherwise) and is unique, so the database itself keeps one
open ticket per conversation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.billing.models import Account
from bot.core.base import Base, string_enum
from bot.core.language import Language
from bot.desk.types import AgentRole, HandoffReason, MessageSender, Outcome, TicketStatus


class Agent(Base):
    """A person at the desk. `password_hash` is `scrypt$...` (bot.desk.agents); `on_duty` and
    `last_seen_at` (any desk request or open stream) decide whether they count as on duty."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[AgentRole] = mapped_column(string_enum(AgentRole, "agent_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    on_duty: Mapped[bool]
    last_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class AgentSession(Base):
    """A desk login. Only the sha256 of the cookie's random token is stored (`token_hash`)."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    agent: Mapped[Agent] = relationship()


class HandoffTicket(Base):
    """A conversation handed to a person, from the bot's request to its outcome.

    `account_id` is the account of the conversation's live verified session when the ticket was
    opened (never one the caller named); `verified` says whether there was one. `slots` holds
    only allow-listed slots. `estimated_wait_seconds` is the estimate given at creation (for the
    correction factor); `last_update_position`/`last_update_wait` what the customer was last told.
    """

    __tablename__ = "handoff_tickets"
    __table_args__ = (Index(None, "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    open_conversation_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(64))
    language: Mapped[Language] = mapped_column(
        string_enum(Language, "ticket_language"), server_default=Language.EN.value
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    verified: Mapped[bool]
    reason: Mapped[HandoffReason] = mapped_column(string_enum(HandoffReason, "handoff_reason"))
    priority: Mapped[int]
    summary: Mapped[str] = mapped_column(String(1000))
    intents: Mapped[list[str]] = mapped_column(JSON)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("review_findings.id"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))
    status: Mapped[TicketStatus] = mapped_column(string_enum(TicketStatus, "ticket_status"))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[Outcome | None] = mapped_column(string_enum(Outcome, "ticket_outcome"))
    note: Mapped[str | None] = mapped_column(String(1000))
    callback_start: Mapped[datetime | None]
    callback_end: Mapped[datetime | None]
    estimated_wait_seconds: Mapped[int | None]
    last_update_position: Mapped[int | None]
    last_update_wait: Mapped[int | None]
    churn_risk: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))

    account: Mapped[Account | None] = relationship()
    agent: Mapped[Agent | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.open_conversation_id is not None


class TicketMessage(Base):
    """One line of a ticket's transcript. Messages from Rasa's event broker carry the event's
    `event_timestamp`; (ticket, sender, timestamp) is unique, so a re-sent event is stored once."""

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("ticket_id", "sender", "event_timestamp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("handoff_tickets.id"), index=True)
    sender: Mapped[MessageSender] = mapped_column(string_enum(MessageSender, "message_sender"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    event_timestamp: Mapped[float | None] = mapped_column(Float)

    agent: Mapped[Agent | None] = relationship()


class LoginFailure(Base):
    """A desk login attempt not (yet) known to have succeeded, kept for throttling across
    back-end processes. Keys are keyed hashes (HMAC) of the normalized username and of the
    client address: neither a mistyped password in the username field nor an address is stored."""

    __tablename__ = "desk_login_failures"
    __table_args__ = (
        Index(None, "username_key", "created_at"),
        Index(None, "address_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username_key: Mapped[str] = mapped_column(String(64))
    address_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)
