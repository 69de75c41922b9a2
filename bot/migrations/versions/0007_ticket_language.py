"""the language of a handoff ticket's conversation (handoff_tickets.language: en, sl)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tickets opened before languages existed were all English conversations.
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language",
                sa.Enum(
                    "en",
                    "sl",
                    name="ticket_language",
                    native_enum=False,
                    create_constraint=True,
                    length=2,
                ),
                server_default="en",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_handoff_tickets_ticket_language"), type_="check")
        batch_op.drop_column("language")
