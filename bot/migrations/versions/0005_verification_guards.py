"""verification: guard rows that serialise checks, postcode holds, the client key of attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:57:18.165103
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "verification_guards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_guards")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_verification_guards_scope_key")),
    )
    op.create_table(
        "postcode_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("account_number", sa.String(length=6), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postcode_holds")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_postcode_holds_conversation_id")),
    )
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_verification_attempts_client_key_created_at"),
            ["client_key", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_verification_attempts_conversation_id_created_at"),
            ["conversation_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_verification_attempts_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_attempts_created_at"))
        batch_op.drop_index(batch_op.f("ix_verification_attempts_conversation_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_verification_attempts_client_key_created_at"))
        batch_op.drop_column("client_key")
    op.drop_table("postcode_holds")
    op.drop_table("verification_guards")
