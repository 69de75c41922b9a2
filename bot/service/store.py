"""Storing what the action server reports: a conversation's end and a survey answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core.errors import NotFound
from bot.desk.models import HandoffTicket
from bot.desk.tickets import live_verified_account
from bot.desk.types import TicketStatus
from bot.service.models import ConversationEnding, SurveyAnswer
from privacy.masking import mask

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.service.schemas import EndingIn, SurveyAnswerIn


def record_ending(
    session: Session, body: EndingIn, now: datetime
) -> tuple[ConversationEnding, bool]:
    """Store the conversation's end once per (conversation, start); `True` if stored now.

    A report for a session already stored (a retry) moves its end forward and returns it."""
    ended_at = max(body.ended_at or now, body.started_at)
    existing = _stored_ending(session, body)
    if existing is not None:
        existing.ended_at = max(existing.ended_at, ended_at)
        session.commit()
        return existing, False
    account = live_verified_account(session, body.conversation_id, now)
    ending = ConversationEnding(
        conversation_id=body.conversation_id,
        channel=body.channel,
        language=body.language,
        topic=body.topic,
        account_id=account.id if account is not None else None,
        started_at=body.started_at,
        ended_at=ended_at,
    )
    session.add(ending)
    try:
        session.commit()
    except IntegrityError:  # the same report, stored at the same moment by another request
        session.rollback()
        stored = _stored_ending(session, body)
        if stored is None:
            raise
        return stored, False
    return ending, True


def _stored_ending(session: Session, body: EndingIn) -> ConversationEnding | None:
    return session.scalars(
        select(ConversationEnding).where(
            ConversationEnding.conversation_id == body.conversation_id,
            ConversationEnding.started_at == body.started_at,
        )
    ).first()


# A survey comment needs no long number: beyond privacy.masking's rules (cards, security codes,
# dates, postcodes), any run of 4 or more digits (a one-time code, an account or phone number)
# is removed, since no label tells which it is.
_LONG_NUMBER = re.compile(r"\d(?:[ .-]?\d){3,}")
NUMBER_MASK = "[number removed]"


def clean_comment(comment: str | None) -> str | None:
    """The comment as stored: masked (cards, dates, codes, any long number), blank -> None."""
    if comment is None:
        return None
    text = " ".join(_LONG_NUMBER.sub(NUMBER_MASK, mask(comment)).split())
    return text or None


_FINISHED_BY_A_PERSON = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def finished_ticket_id(session: Session, ticket_id: int | None, conversation_id: str) -> int | None:
    """`ticket_id` if it is this conversation's ticket and a person finished it, else None."""
    if ticket_id is None:
        return None
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None or ticket.conversation_id != conversation_id:
        return None
    return ticket.id if ticket.status in _FINISHED_BY_A_PERSON else None


def record_answer(session: Session, body: SurveyAnswerIn, now: datetime) -> SurveyAnswer:
    answer = SurveyAnswer(
        conversation_id=body.conversation_id,
        channel=body.channel,
        language=body.language,
        rating=body.rating,
        comment=clean_comment(body.comment),
        ticket_id=finished_ticket_id(session, body.ticket_id, body.conversation_id),
        answered_at=now,
    )
    session.add(answer)
    session.commit()
    return answer


def add_comment(
    session: Session, answer_id: int, conversation_id: str, comment: str
) -> SurveyAnswer:
    """Put the (masked) comment on the conversation's answer; NotFound for another's answer."""
    answer = session.get(SurveyAnswer, answer_id)
    if answer is None or answer.conversation_id != conversation_id:
        raise NotFound("this conversation has no such survey answer")
    answer.comment = clean_comment(comment)
    session.commit()
    return answer
