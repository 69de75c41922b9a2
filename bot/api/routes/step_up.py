"""Step-up verification of a verified conversation: /api/v1/accounts/{acct}/step-up/..."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import SenderDep, SessionDep, StepUpPolicyDep, VerifiedAccount
from bot.api.idempotency import IdempotentWriteCtx, WriteCtx, as_response
from bot.safety import step_up
from bot.safety.schemas import (
    ChannelList,
    CodeCheck,
    CodeRequest,
    CodeSent,
    StepUpResult,
    StepUpStatus,
)

router = APIRouter(prefix="/accounts/{acct}/step-up", tags=["step-up"])


@router.get("", response_model=StepUpStatus)
def get_status(ctx: WriteCtx, session: SessionDep) -> StepUpStatus:
    """Whether this conversation is stepped up for the account, and until when."""
    return step_up.step_up_status(session, ctx)


@router.get("/channels", response_model=ChannelList)
def list_channels(
    account: VerifiedAccount, session: SessionDep, policy: StepUpPolicyDep
) -> ChannelList:
    """The contacts on file, masked, each with an opaque id to send a code to."""
    return step_up.list_channels(session, account, policy)


@router.post("/codes", status_code=201, response_model=CodeSent)
def send_code(
    body: CodeRequest,
    ctx: IdempotentWriteCtx,
    session: SessionDep,
    policy: StepUpPolicyDep,
    sender: SenderDep,
) -> JSONResponse:
    """Send a 6-digit code to the chosen channel (replaces an earlier code of the conversation)."""
    return as_response(step_up.send_code(session, ctx, body.channel_id, policy, sender))


@router.post("/verify", response_model=StepUpResult)
def verify_code(
    body: CodeCheck, ctx: WriteCtx, session: SessionDep, policy: StepUpPolicyDep
) -> StepUpResult:
    """Check the code; always 200 with `verified`, `failed`, `expired` or `locked`."""
    return step_up.verify_code(session, ctx, body.code, policy)
