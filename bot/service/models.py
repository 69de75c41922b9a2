"""Tables of the service figures: one row per ended conversation, one per survey answer.

Neither holds personal data: the conversation id, channel and language; `account_id` only from
the conversation's live verified session (found by the back end, never named by the caller), so
a repeat contact about the same `topic` can be recognised; the survey comment is masked
(`privacy.masking.mask`) before it is stored; a survey answer's `ticket_id` only when the
conversation's own ticket was finished by a person (the survey after a hand-back).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.base import Base, string_enum
from bot.core.language import Language


class ConversationEnding(Base):
    """A conversation (one Rasa session) the bot closed: `topic` is the request it served
    (an intent name), `started_at` its first message, `ended_at` when the bot closed it."""

    __tablename__ = "conversation_endings"
    __table_args__ = (
        UniqueConstraint("conversation_id", "started_at"),
        Index(None, "account_id", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(64))
    language: Mapped[Language] = mapped_column(string_enum(Language, "ending_language"))
    topic: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime] = mapped_column(index=True)


class SurveyAnswer(Base):
    """One answer to "how satisfied are you?" (1-5) with an optional, masked comment; `ticket_id`
    when a person helped first (the handoff ticket they resolved or closed)."""

    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    language: Mapped[Language] = mapped_column(string_enum(Language, "survey_language"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_tickets.id"))
    answered_at: Mapped[datetime] = mapped_column(index=True)
