"""HTTP side of idempotent writes: the required `Idempotency-Key` header and stored replies.

    @router.post("/disputes", status_code=201, response_model=DisputeOut)
    def create(ctx: IdempotentWriteCtx, session: SessionDep, body: DisputeIn) -> JSONResponse:
        return as_response(disputes.create_dispute(session, ctx, body))

A replayed answer carries the header `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from bot.api.deps import NowDep, VerifiedAccount
from bot.safety.context import WriteContext
from bot.safety.idempotency import IdempotentRequest, StoredResponse, fingerprint

REPLAYED_HEADER = "Idempotent-Replayed"


def _template(request: Request) -> str:
    """The request path with each path parameter's value replaced by its name."""
    names = {str(value): name for name, value in request.path_params.items()}
    return "/".join(
        f"{{{names[part]}}}" if part in names else part for part in request.url.path.split("/")
    )


async def idempotent_request(
    request: Request,
    idempotency_key: Annotated[
        str,
        Header(
            min_length=8,
            max_length=255,
            description="Client-chosen key, the same for retries of one write "
            "(the bot derives it from the conversation id and the action).",
        ),
    ],
    x_conversation_id: Annotated[str | None, Header()] = None,
) -> IdempotentRequest:
    """The key plus a fingerprint of method, path, conversation and JSON body."""
    body = await request.body()
    return IdempotentRequest(
        key=idempotency_key,
        route=f"{request.method} {_template(request)}",
        fingerprint=fingerprint(request.method, request.url.path, x_conversation_id, body),
    )


async def write_context(
    account: VerifiedAccount,
    now: NowDep,
    x_conversation_id: Annotated[str | None, Header()] = None,
) -> WriteContext:
    """The verified conversation acting on its account (no idempotency key)."""
    return WriteContext(account=account, conversation_id=x_conversation_id or "", now=now)


async def idempotent_write_context(
    account: VerifiedAccount,
    now: NowDep,
    idempotency: Annotated[IdempotentRequest, Depends(idempotent_request)],
    x_conversation_id: Annotated[str | None, Header()] = None,
) -> WriteContext:
    """The verified conversation acting on its account, with the request's Idempotency-Key."""
    return WriteContext(
        account=account, conversation_id=x_conversation_id or "", now=now, idempotency=idempotency
    )


def as_response(stored: StoredResponse) -> JSONResponse:
    """The stored or fresh answer as it was first sent; replays say so in a header."""
    headers = {REPLAYED_HEADER: "true"} if stored.replayed else None
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


WriteCtx = Annotated[WriteContext, Depends(write_context)]
IdempotentWriteCtx = Annotated[WriteContext, Depends(idempotent_write_context)]
