"""service figures: how each conversation ended and the end-of-conversation survey's answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 13:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_endings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column(
            "language",
            sa.Enum(
                "en",
                "sl",
                name="ending_language",
                native_enum=False,
                create_constraint=True,
                length=2,
            ),
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_conversation_endings_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_endings")),
        sa.UniqueConstraint(
            "conversation_id",
            "started_at",
            name=op.f("uq_conversation_endings_conversation_id_started_at"),
        ),
    )
    with op.batch_alter_table("conversation_endings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_endings_ended_at"), ["ended_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_endings_account_id_topic"),
            ["account_id", "topic"],
            unique=False,
        )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column(
            "language",
            sa.Enum(
                "en",
                "sl",
                name="survey_language",
                native_enum=False,
                create_constraint=True,
                length=2,
            ),
            nullable=False,
        ),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_survey_answers_rating_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answers_answered_at"), ["answered_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answers_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answers_answered_at"))
    op.drop_table("survey_answers")
    with op.batch_alter_table("conversation_endings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_endings_account_id_topic"))
        batch_op.drop_index(batch_op.f("ix_conversation_endings_ended_at"))
    op.drop_table("conversation_endings")
