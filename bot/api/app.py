"""`create_app()`: the FastAPI application, built from settings and a clock (no globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from bot import __version__
from bot.api.deps import require_service_token
from bot.api.desk_runtime import desk_lifespan
from bot.api.docs import DOCS_URL, OPENAPI_URL, REDOC_URL, add_protected_docs, docs_are_open
from bot.api.errors import install_error_handlers
from bot.api.request_log import RequestLog
from bot.api.routes import (
    accounts,
    cancellation,
    desk,
    desk_analytics,
    desk_api,
    desk_service,
    disputes,
    handoffs,
    health,
    inquiries,
    offers,
    payments,
    plans,
    reviews,
    service,
    step_up,
    verification,
)
from bot.api.security_headers import SecurityHeaders
from bot.commerce.policy import load_policy
from bot.core.clock import utc_now
from bot.core.schemas import ErrorResponse
from bot.db import create_db_engine, create_session_factory
from bot.desk.config import DeskConfig
from bot.desk.events import DeskEvents
from bot.desk.web import STATIC_DIR as DESK_STATIC_DIR
from bot.safety.outbox import KeepInOutbox
from bot.settings import get_settings
from bot.website import routes as website

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.safety.outbox import MessageSender
    from bot.settings import Settings

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        401: "Missing or wrong bearer token",
        403: "Conversation not verified for this account",
        404: "Not found",
        409: "Conflict with the current state (see the error code)",
        422: "Malformed request",
    }.items()
}


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    sender: MessageSender | None = None,
) -> FastAPI:
    """The API. Tests pass their own settings, a fake clock and maybe a message sender."""
    settings = settings or get_settings()
    discount_policy = load_policy(settings.discount_policy_path)  # a bad file stops here
    desk_config = DeskConfig.from_settings(settings)  # so do bad opening hours
    engine = create_db_engine(
        settings.database_url, settings.database_pool_size, settings.database_max_overflow
    )
    open_docs = docs_are_open(settings.app_env)  # production: behind the token (bot/api/docs.py)
    app = FastAPI(
        title="Billing support back end",
        version=__version__,
        description="Billing data and rules for the support assistant (see docs/api.md).",
        lifespan=desk_lifespan,  # the Rasa client and the desk's queue updater
        openapi_url=OPENAPI_URL if open_docs else None,
        docs_url=DOCS_URL if open_docs else None,
        redoc_url=REDOC_URL if open_docs else None,
    )
    if not open_docs:
        add_protected_docs(app)
    app.state.settings = settings
    app.state.clock = clock or utc_now
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.discount_policy = discount_policy
    app.state.desk_config = desk_config
    app.state.sender = sender or KeepInOutbox()
    app.state.desk_events = DeskEvents()  # the desk's live stream (bot.desk.events)

    api = APIRouter(
        prefix="/api/v1", dependencies=[Depends(require_service_token)], responses=_ERRORS
    )
    api.include_router(verification.router)
    api.include_router(inquiries.router)
    api.include_router(accounts.router)
    api.include_router(step_up.router)
    api.include_router(reviews.router)
    api.include_router(disputes.router)
    for commerce in (offers, plans, cancellation, payments):
        api.include_router(commerce.router)
    api.include_router(handoffs.router)
    api.include_router(service.router)
    app.include_router(health.router)
    app.include_router(website.router)
    app.include_router(api)
    app.include_router(desk.router)
    app.include_router(desk_api.router)
    app.include_router(desk_service.router)
    app.include_router(desk_analytics.router)
    app.mount("/desk/static", StaticFiles(directory=DESK_STATIC_DIR), name="desk-static")
    app.add_middleware(RequestLog)
    app.add_middleware(SecurityHeaders, rasa_public_url=settings.rasa_public_url)
    install_error_handlers(app)
    return app
