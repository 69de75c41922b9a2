"""desk: agents, their sessions, handoff tickets and ticket messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:44:19.919661
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "agent", "supervisor", name="agent_role", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("username", name=op.f("uq_agents_username")),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_sessions_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agent_sessions_token_hash")),
    )
    with op.batch_alter_table("agent_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_sessions_agent_id"), ["agent_id"], unique=False)

    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("open_conversation_id", sa.String(length=255), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "customer_request",
                "repeated_fallback",
                "verification_locked",
                "beyond_authority",
                "upset_customer",
                name="handoff_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "claimed",
                "callback",
                "withdrawn",
                "resolved",
                "closed",
                "abandoned",
                name="ticket_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "credited",
                "discount_granted",
                "explained",
                "dispute_opened",
                "plan_changed",
                "callback_arranged",
                "no_action",
                "other",
                name="ticket_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("callback_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimated_wait_seconds", sa.Integer(), nullable=True),
        sa.Column("last_update_position", sa.Integer(), nullable=True),
        sa.Column("last_update_wait", sa.Integer(), nullable=True),
        sa.Column("churn_risk", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_handoff_tickets_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by"], ["agents.id"], name=op.f("fk_handoff_tickets_claimed_by_agents")
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["review_findings.id"],
            name=op.f("fk_handoff_tickets_finding_id_review_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_handoff_tickets_offer_id_offers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_tickets")),
        sa.UniqueConstraint(
            "open_conversation_id", name=op.f("uq_handoff_tickets_open_conversation_id")
        ),
    )
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_tickets_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_handoff_tickets_status_created_at"),
            ["status", "created_at"],
            unique=False,
        )

    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column(
            "sender",
            sa.Enum(
                "customer",
                "bot",
                "agent",
                "system",
                name="message_sender",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("event_timestamp", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_ticket_messages_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["handoff_tickets.id"],
            name=op.f("fk_ticket_messages_ticket_id_handoff_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
        sa.UniqueConstraint(
            "ticket_id",
            "sender",
            "event_timestamp",
            name=op.f("uq_ticket_messages_ticket_id_sender_event_timestamp"),
        ),
    )
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_messages_ticket_id"), ["ticket_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_messages_ticket_id"))

    op.drop_table("ticket_messages")
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_tickets_status_created_at"))
        batch_op.drop_index(batch_op.f("ix_handoff_tickets_conversation_id"))

    op.drop_table("handoff_tickets")
    with op.batch_alter_table("agent_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_sessions_agent_id"))

    op.drop_table("agent_sessions")
    op.drop_table("agents")
