"""cumulative authority (credit_grants) and shared desk login throttling (desk_login_failures)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:58:07.824120
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_login_failures")),
    )
    with op.batch_alter_table("desk_login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_desk_login_failures_address_key_created_at"),
            ["address_key", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_desk_login_failures_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_desk_login_failures_username_key_created_at"),
            ["username_key", "created_at"],
            unique=False,
        )

    op.create_table(
        "credit_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adjustment_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "bot",
                "agent",
                "supervisor",
                name="authority_tier",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_credit_grants_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["adjustment_id"],
            ["adjustments.id"],
            name=op.f("fk_credit_grants_adjustment_id_adjustments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_grants")),
        sa.UniqueConstraint("adjustment_id", name=op.f("uq_credit_grants_adjustment_id")),
    )
    with op.batch_alter_table("credit_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_grants_account_id_tier_created_at"),
            ["account_id", "tier", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_grants_account_id_tier_created_at"))
    op.drop_table("credit_grants")
    with op.batch_alter_table("desk_login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_login_failures_username_key_created_at"))
        batch_op.drop_index(batch_op.f("ix_desk_login_failures_created_at"))
        batch_op.drop_index(batch_op.f("ix_desk_login_failures_address_key_created_at"))
    op.drop_table("desk_login_failures")
