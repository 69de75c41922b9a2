"""Bodies of the service API: what the action server reports when a conversation ends and when
the customer answers the survey."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from bot.core.language import DEFAULT_LANGUAGE, Language
from bot.core.schemas import Schema

MAX_COMMENT_CHARS = 1000


class EndingIn(Schema):
    conversation_id: str = Field(min_length=1, max_length=255)
    channel: str = Field(default="unknown", min_length=1, max_length=64)
    language: Language = DEFAULT_LANGUAGE
    topic: str = Field(default="other", min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None  # default: now


class EndingOut(Schema):
    id: int
    conversation_id: str
    topic: str
    verified: bool
    started_at: datetime
    ended_at: datetime


class SurveyAnswerIn(Schema):
    conversation_id: str = Field(min_length=1, max_length=255)
    channel: str = Field(default="unknown", min_length=1, max_length=64)
    language: Language = DEFAULT_LANGUAGE
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)
    # The conversation's handoff ticket when a person helped first; noted only if it is this
    # conversation's and a person finished it (resolved or closed), else left out.
    ticket_id: int | None = Field(default=None, ge=1)


class SurveyAnswerOut(Schema):
    id: int
    conversation_id: str
    rating: int
    comment: str | None
    ticket_id: int | None
    answered_at: datetime


class SurveyCommentIn(Schema):
    conversation_id: str = Field(min_length=1, max_length=255)
    comment: str = Field(max_length=MAX_COMMENT_CHARS)
