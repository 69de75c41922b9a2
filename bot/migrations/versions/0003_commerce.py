"""commerce: offers, discounts, cancellations, payment links and arrangements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:44:08.935079
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("autopay", sa.Boolean(), nullable=False),
        sa.Column("e_billing", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_billing_preferences_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_preferences")),
        sa.UniqueConstraint("account_id", name=op.f("uq_billing_preferences_account_id")),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column(
            "trigger",
            sa.Enum(
                "price_complaint",
                "discount_request",
                "cancellation",
                "agent_grant",
                name="offer_trigger",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "offered",
                "holdout",
                "not_eligible",
                "needs_human",
                "accepted",
                "declined",
                name="offer_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("offer_code", sa.String(length=32), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("monthly_amount_cents", sa.Integer(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
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
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("churn_risk", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_offers_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offers_account_id_created_at"),
            ["account_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "payment_arrangements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "extend_due_date",
                "split",
                name="arrangement_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "completed",
                "cancelled",
                name="arrangement_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_payment_arrangements_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_arrangements")),
    )
    with op.batch_alter_table("payment_arrangements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_arrangements_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "payment_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_payment_links_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_payment_links_token_hash")),
    )
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_links_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "account_discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("monthly_amount_cents", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_discounts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_account_discounts_offer_id_offers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_discounts")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_account_discounts_offer_id")),
    )
    with op.batch_alter_table("account_discounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_discounts_account_id_start_date"),
            ["account_id", "start_date"],
            unique=False,
        )

    op.create_table(
        "arrangement_instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arrangement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["arrangement_id"],
            ["payment_arrangements.id"],
            name=op.f("fk_arrangement_instalments_arrangement_id_payment_arrangements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangement_instalments")),
    )
    with op.batch_alter_table("arrangement_instalments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_arrangement_instalments_arrangement_id"),
            ["arrangement_id"],
            unique=False,
        )

    op.create_table(
        "cancellation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "withdrawn",
                "completed",
                name="cancellation_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("early_termination_fee_cents", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_cancellation_requests_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_cancellation_requests_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancellation_requests")),
    )
    with op.batch_alter_table("cancellation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cancellation_requests_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cancellation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cancellation_requests_account_id"))

    op.drop_table("cancellation_requests")
    with op.batch_alter_table("arrangement_instalments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arrangement_instalments_arrangement_id"))

    op.drop_table("arrangement_instalments")
    with op.batch_alter_table("account_discounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_discounts_account_id_start_date"))

    op.drop_table("account_discounts")
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_links_account_id"))

    op.drop_table("payment_links")
    with op.batch_alter_table("payment_arrangements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_arrangements_account_id"))

    op.drop_table("payment_arrangements")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_account_id_created_at"))

    op.drop_table("offers")
    op.drop_table("billing_preferences")
