"""Disputes of a verified account: /api/v1/accounts/{acct}/disputes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import SessionDep, TextsDep, VerifiedAccount
from bot.api.idempotency import IdempotentWriteCtx, as_response
from bot.disputes import service
from bot.disputes.schemas import DisputeIn, DisputeList, DisputeOut

router = APIRouter(prefix="/accounts/{acct}/disputes", tags=["disputes"])


@router.post("", status_code=201, response_model=DisputeOut)
def open_dispute(
    body: DisputeIn, ctx: IdempotentWriteCtx, session: SessionDep, texts: TextsDep
) -> JSONResponse:
    """Dispute one line of one of the account's invoices; answers the dispute, status `open`."""
    return as_response(service.create_dispute(session, ctx, body, texts))


@router.get("", response_model=DisputeList)
def list_disputes(account: VerifiedAccount, session: SessionDep, texts: TextsDep) -> DisputeList:
    """The account's disputes with their status, newest first."""
    return service.list_disputes(session, account, texts)
