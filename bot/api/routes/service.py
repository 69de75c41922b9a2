"""/api/v1/service/...: the action server reports a conversation's end and a survey answer
(service token, like every /api/v1 route)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import NowDep, SessionDep
from bot.service.schemas import EndingIn, EndingOut, SurveyAnswerIn, SurveyAnswerOut
from bot.service.store import record_answer, record_ending

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
    answer = record_answer(session, body, now)
    return SurveyAnswerOut(
        id=answer.id,
        conversation_id=answer.conversation_id,
        rating=answer.rating,
        comment=answer.comment,
        answered_at=answer.answered_at,
    )
