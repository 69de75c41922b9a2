"""survey answers note the handoff ticket a person finished before the survey was asked

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 16:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_answers_ticket_id_handoff_tickets"),
            "handoff_tickets",
            ["ticket_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_answers_ticket_id_handoff_tickets"), type_="foreignkey"
        )
        batch_op.drop_column("ticket_id")
