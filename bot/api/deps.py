"""Dependencies shared by the routes: settings, clock, database session, token, verification.

Those that only read the app's state or the request are `async def`: FastAPI runs a plain `def`
dependency in its thread pool, a thread hand-off each (measured: with eight per request they
were a large part of a short read's CPU). Whatever touches the database stays in the pool.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bot.app_settings import get_settings_dep
from bot.billing.models import Account
from bot.billing.verification import VerificationPolicy, require_verified_account
from bot.commerce.policy import DiscountPolicy
from bot.core.clock import Clock
from bot.core.dates import MONTH_PATTERN, parse_month
from bot.core.errors import InvalidRequest, NotAuthenticated
from bot.core.language import negotiate
from bot.core.texts import Texts
from bot.safety.outbox import MessageSender
from bot.safety.step_up import StepUpPolicy
from bot.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="BACKEND_SERVICE_TOKEN")


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_clock_dep(request: Request) -> Clock:
    return get_clock(request)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request (opening one touches no database); closing it hands its
    connection back to the pool, a rollback on the wire, so that runs in the thread pool."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


async def get_texts(
    accept_language: Annotated[str | None, Header()] = None,
) -> Texts:
    """The customer's language, chosen once per request from `Accept-Language` (en or sl;
    English when absent or unknown): every text the route returns is written in it."""
    return Texts(negotiate(accept_language))


async def get_now(clock: Annotated[Clock, Depends(get_clock_dep)]) -> datetime:
    return clock()


async def get_today(now: Annotated[datetime, Depends(get_now)]) -> date:
    return now.date()


async def get_policy(
    settings: Annotated[Settings, Depends(get_settings_dep)],
) -> VerificationPolicy:
    return VerificationPolicy(
        max_attempts=settings.verification_max_attempts,
        lock_minutes=settings.verification_lock_minutes,
        session_minutes=settings.verified_session_minutes,
        secret=settings.code_secret,
        max_conversation_failures=settings.verification_max_failures_per_conversation,
        max_client_failures=settings.verification_max_failures_per_client,
        throttle_minutes=settings.verification_throttle_minutes,
        burst_failures=settings.verification_burst_failures,
        burst_accounts=settings.verification_burst_accounts,
        burst_minutes=settings.verification_burst_minutes,
    )


async def get_step_up_policy(
    settings: Annotated[Settings, Depends(get_settings_dep)],
) -> StepUpPolicy:
    return StepUpPolicy(
        secret=settings.code_secret,
        code_minutes=settings.step_up_code_minutes,
        max_attempts=settings.step_up_max_attempts,
        grant_minutes=settings.step_up_minutes,
        max_codes_per_hour=settings.step_up_max_codes_per_hour,
    )


async def get_sender(request: Request) -> MessageSender:
    sender: MessageSender = request.app.state.sender
    return sender


async def get_discount_policy(request: Request) -> DiscountPolicy:
    """The discount policy file, loaded (and validated) when the app was created."""
    policy: DiscountPolicy = request.app.state.discount_policy
    return policy


async def require_service_token(
    settings: Annotated[Settings, Depends(get_settings_dep)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Every /api route needs `Authorization: Bearer <BACKEND_SERVICE_TOKEN>` (constant time)."""
    given = credentials.credentials.encode() if credentials else b""
    if not hmac.compare_digest(given, settings.service_token.encode()):
        raise NotAuthenticated("missing or wrong bearer token")


SessionDep = Annotated[Session, Depends(get_session)]
TextsDep = Annotated[Texts, Depends(get_texts)]
NowDep = Annotated[datetime, Depends(get_now)]
TodayDep = Annotated[date, Depends(get_today)]
PolicyDep = Annotated[VerificationPolicy, Depends(get_policy)]
StepUpPolicyDep = Annotated[StepUpPolicy, Depends(get_step_up_policy)]
SenderDep = Annotated[MessageSender, Depends(get_sender)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DiscountPolicyDep = Annotated[DiscountPolicy, Depends(get_discount_policy)]


def verified_account(
    session: SessionDep,
    now: NowDep,
    acct: Annotated[str, Path(description="The 6-digit account number")],
    x_conversation_id: Annotated[str | None, Header()] = None,
) -> Account:
    """The account in the path, if the conversation in `X-Conversation-Id` verified for it."""
    return require_verified_account(session, x_conversation_id, acct, now)


VerifiedAccount = Annotated[Account, Depends(verified_account)]


async def billing_month(
    month: Annotated[
        str | None,
        Query(pattern=MONTH_PATTERN, examples=["2026-10"], description="YYYY-MM, 1900-2999"),
    ] = None,
) -> date | None:
    """The `month` query parameter as its first day (422 for a month outside the calendar)."""
    if month is None:
        return None
    try:
        return parse_month(month)
    except ValueError as error:
        raise InvalidRequest(f"month: {error}") from error


MonthDep = Annotated[date | None, Depends(billing_month)]
