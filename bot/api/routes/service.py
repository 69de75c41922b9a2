"""/api/v1/service/...: the action server reports a conversation's end and a survey answer
(service token, like every /api/v1 route)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from bot.api.deps import NowDep, SessionDep
from bot.core.schemas import Id
from bot.service.models import SurveyAnswer
from bot.service.schemas import (
    EndingIn,
    EndingOut,
    SurveyAnswerIn,
    SurveyAnswerOut,
    SurveyCommentIn,
)
from bot.service.store import add_comment, record_answer, record_ending

router = APIRouter(prefix="/service", tags=["service figures"])


@router.post(
    "/endings",
    status_code=201,
    response_model=EndingOut,
    responses={200: {"model": EndingOut, "description": "This session's end, already stored"}},
)
def report_ending(body: EndingIn, session: SessionDep, now: NowDep) -> JSONResponse:
    """Store that the bot closed a conversation (201), or update the stored one (200)."""
    ending, created = record_ending(session, body, now)
    out = EndingOut(
        id=ending.id,
        conversation_id=ending.conversation_id,
        topic=ending.topic,
        verified=ending.account_id is not None,
        started_at=ending.started_at,
        ended_at=ending.ended_at,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


@router.post("/survey-answers", status_code=201, response_model=SurveyAnswerOut)
def answer_survey(body: SurveyAnswerIn, session: SessionDep, now: NowDep) -> SurveyAnswerOut:
    """Store a survey answer (1-5, optional comment, masked)."""
    return _answer_out(record_answer(session, body, now))


@router.post("/survey-answers/{answer_id}/comment", response_model=SurveyAnswerOut)
def comment_survey(
    answer_id: Annotated[Id, Path(description="The survey answer's id")],
    body: SurveyCommentIn,
    session: SessionDep,
) -> SurveyAnswerOut:
    """Add the optional comment to the conversation's answer (masked; 404 for another's)."""
    return _answer_out(add_comment(session, answer_id, body.conversation_id, body.comment))


def _answer_out(answer: SurveyAnswer) -> SurveyAnswerOut:
    return SurveyAnswerOut(
        id=answer.id,
        conversation_id=answer.conversation_id,
        rating=answer.rating,
        comment=answer.comment,
        ticket_id=answer.ticket_id,
        answered_at=answer.answered_at,
    )
