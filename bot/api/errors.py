"""The one place where errors become HTTP responses of the documented shape

{"error": {"code": "<snake_case>", "message": "<human readable>"}}

plus `"remaining"` (an amount like "12.50", or a percent like "20%") when a cumulative limit
refused a grant (`authority_used_up`, `credit_exceeds_invoice`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.core.errors import (
    AlreadyClaimed,
    AlreadyCredited,
    AlreadyDisputed,
    AlreadyPending,
    AuthorityUsedUp,
    BeyondAgentAuthority,
    BeyondAuthority,
    BotError,
    Conflict,
    CreditExceedsInvoice,
    CsrfRejected,
    DatabaseUnavailable,
    FindingClosed,
    Forbidden,
    IdempotencyConflict,
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    NothingOwed,
    NotLoggedIn,
    NotVerified,
    NotYourTicket,
    OfferUnavailable,
    RasaUnavailable,
    StepUpRequired,
    TicketClosed,
    TooManyRequests,
)

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

logger = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides.
ERROR_MAP: tuple[tuple[type[BotError], int, str], ...] = (
    (NotAuthenticated, 401, "unauthorized"),
    (NotVerified, 403, "not_verified"),
    (NotLoggedIn, 401, "not_logged_in"),
    (CsrfRejected, 403, "csrf"),
    (NotYourTicket, 403, "not_your_ticket"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (InvalidRequest, 422, "invalid_request"),
    (StepUpRequired, 403, "step_up_required"),
    (TooManyRequests, 429, "too_many_requests"),
    (IdempotencyConflict, 409, "idempotency_conflict"),
    (AlreadyCredited, 409, "already_credited"),
    (AuthorityUsedUp, 403, "authority_used_up"),
    (CreditExceedsInvoice, 409, "credit_exceeds_invoice"),
    (BeyondAgentAuthority, 403, "beyond_authority"),
    (BeyondAuthority, 409, "beyond_authority"),
    (FindingClosed, 409, "finding_closed"),
    (AlreadyDisputed, 409, "already_disputed"),
    (OfferUnavailable, 409, "offer_unavailable"),
    (AlreadyPending, 409, "already_pending"),
    (NothingOwed, 409, "nothing_owed"),
    (TicketClosed, 409, "ticket_closed"),
    (AlreadyClaimed, 409, "already_claimed"),
    (Conflict, 409, "conflict"),
    (DatabaseUnavailable, 503, "database_unavailable"),
    (RasaUnavailable, 503, "rasa_unavailable"),
)
_HTTP_CODES = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}


def error_response(
    status: int, code: str, message: str, remaining: str | None = None
) -> JSONResponse:
    # Only the service token is a bearer scheme; a desk login (not_logged_in) is a cookie.
    headers = {"WWW-Authenticate": "Bearer"} if code == "unauthorized" else None
    error: dict[str, str] = {"code": code, "message": message}
    if remaining is not None:  # a cumulative limit: what may still be granted
        error["remaining"] = remaining
    body = {"error": error}
    return JSONResponse(status_code=status, content=body, headers=headers)


def status_and_code(error: BotError) -> tuple[int, str]:
    for error_class, status, code in ERROR_MAP:
        if isinstance(error, error_class):
            return status, code
    return 500, "internal_error"


async def _billing_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, BotError)  # noqa: S101 - registered for BotError only
    status, code = status_and_code(error)
    remaining = getattr(error, "remaining", None)
    return error_response(status, code, error.message, remaining)


def _describe(error: Mapping[str, Any]) -> str:
    """`field: message` for one validation error, without the offending input."""
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return f"{location}: {error.get('msg')}" if location else str(error.get("msg"))


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
    # Only field locations and messages: the offending input (maybe a birth date) is not echoed.
    message = "; ".join(_describe(item) for item in error.errors()) or "invalid request"
    return error_response(422, "invalid_request", message)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for it only
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail))


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    route = getattr(request.scope.get("route"), "path", "unknown")
    # No `error_type` in `extra`: the formatters take it from exc_info, and the private record
    # factory (privacy.logs) has already set it on the record, so `extra` would raise KeyError.
    logger.error("request.failed", exc_info=error, extra={"route": route})
    return error_response(500, "internal_error", "something went wrong on our side")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BotError, _billing_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
