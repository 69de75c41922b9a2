"""POST /api/v1/verifications, PUT .../{conversation_id}/postcode, DELETE .../{conversation_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from bot.api.deps import NowDep, PolicyDep, SessionDep
from bot.billing import verification
from bot.billing.schemas import PostcodeHoldRequest, VerificationRequest, VerificationResult

router = APIRouter(prefix="/verifications", tags=["verification"])
ConversationId = Annotated[str, Path(min_length=1, max_length=255)]


@router.post("", response_model=VerificationResult)
def verify(
    body: VerificationRequest, session: SessionDep, now: NowDep, policy: PolicyDep
) -> VerificationResult:
    """Check a date of birth, or a postcode with the latest invoice amount; always 200 with
    `verified`, `failed` or `locked` (a postcode without the amount is a failed attempt)."""
    return verification.verify(session, body, now, policy)


@router.put("/{conversation_id}/postcode", status_code=204, response_class=Response)
def hold_postcode(
    conversation_id: ConversationId,
    body: PostcodeHoldRequest,
    session: SessionDep,
    now: NowDep,
    policy: PolicyDep,
) -> Response:
    """Hold the postcode until the invoice amount comes with POST; judges nothing (always 204)."""
    verification.hold_postcode(session, conversation_id, body, now, policy)
    return Response(status_code=204)


@router.delete("/{conversation_id}", status_code=204, response_class=Response)
def revoke(conversation_id: str, session: SessionDep, now: NowDep) -> Response:
    """End the conversation's verified sessions and any held postcode (idempotent)."""
    verification.revoke(session, conversation_id, now)
    return Response(status_code=204)
