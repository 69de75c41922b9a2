"""GET /health: liveness plus a database round trip. No token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.core.schemas import HealthOut
from bot.db import database_is_up

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(request: Request) -> JSONResponse:
    if database_is_up(request.app.state.engine):
        return JSONResponse(HealthOut(status="ok", database="ok").model_dump())
    body = HealthOut(status="degraded", database="unavailable").model_dump()
    return JSONResponse(body, status_code=503)
