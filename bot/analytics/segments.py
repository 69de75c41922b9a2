"""A customer's segment as the outcomes last recorded it (the uplift rule's key)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.analytics.models import Outcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def latest_segment(session: Session, account_id: int) -> str | None:
    """The segment of the account's most recent outcome; None when it has none."""
    return session.scalar(
        select(Outcome.segment)
        .where(Outcome.account_id == account_id)
        .order_by(Outcome.occurred_on.desc(), Outcome.id.desc())
        .limit(1)
    )
