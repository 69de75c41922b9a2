"""POST /api/v1/verifications and DELETE /api/v1/verifications/{conversation_id}."""

from __future__ import annotations

from fastapi import APIRouter, Response

from bot.api.deps import NowDep, PolicyDep, SessionDep
from bot.billing import verification
from bot.billing.schemas import VerificationRequest, VerificationResult

router = APIRouter(prefix="/verifications", tags=["verification"])


@router.post("", response_model=VerificationResult)
def verify(
    body: VerificationRequest, session: SessionDep, now: NowDep, policy: PolicyDep
) -> VerificationResult:
    """Check a date of birth or a postcode; always 200 with `verified`, `failed` or `locked`."""
    return verification.verify(session, body, now, policy)


@router.delete("/{conversation_id}", status_code=204, response_class=Response)
def revoke(conversation_id: str, session: SessionDep, now: NowDep) -> Response:
    """End the conversation's verified sessions (idempotent)."""
    verification.revoke(session, conversation_id, now)
    return Response(status_code=204)
