"""outcomes: what happened after each offer decision and conversation (retention analytics)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 13:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column("offer_code", sa.String(length=32), nullable=True),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "stayed",
                "cancelled",
                "downgraded",
                "came_back",
                name="outcome_kind",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_outcomes_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_outcomes_offer_id_offers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcomes_account_id_occurred_on"),
            ["account_id", "occurred_on"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_outcomes_offer_id"), ["offer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_offer_id"))
        batch_op.drop_index(batch_op.f("ix_outcomes_account_id_occurred_on"))
    op.drop_table("outcomes")
