"""The desk's JSON API under /desk/api (docs/desk-api.md, "Desk"): session cookie + CSRF header.

Thin: each route calls a desk service and publishes what changed to the live stream. Routes
that talk to Rasa are async (the services run in the thread pool, see bot.desk.conversation);
the others are plain functions, run in the thread pool by FastAPI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from bot.api.deps import DiscountPolicyDep, NowDep, SessionDep, SettingsDep, get_clock
from bot.api.desk_auth import DeskAgentDep, DeskSessionDep, DeskStreamSessionDep, SupervisorDep
from bot.api.desk_deps import DeskConfigDep, DeskEventsDep
from bot.api.idempotency import idempotent_request
from bot.core.errors import RasaUnavailable
from bot.core.money import format_amount, round_to_cents
from bot.core.schemas import Id
from bot.desk import conversation, sessions
from bot.desk.agents import set_on_duty
from bot.desk.api_schemas import (
    DiscountLimitsOut,
    DutyIn,
    DutyOut,
    MeOut,
    MessageSentOut,
    TicketDetail,
)
from bot.desk.authority import authority_of, grant_credit_as_agent, grant_discount_as_agent
from bot.desk.detail import ticket_detail
from bot.desk.rasa_client import RasaClient
from bot.desk.schemas import (
    AgentMessageIn,
    CreditGrantOut,
    CreditIn,
    DiscountGrantOut,
    DiscountIn,
    QueueOut,
    ResolveIn,
    StatsOut,
    TicketSummary,
)
from bot.desk.stats import MAX_HOURS, desk_stats
from bot.desk.stream import sse_events
from bot.desk.views import message_out, queue_view, ticket_summary
from bot.safety.idempotency import IdempotentRequest

router = APIRouter(
    prefix="/desk/api",
    tags=["desk"],
    responses={
        401: {"description": "No live desk session (`not_logged_in`)"},
        403: {"description": "Missing CSRF header (`csrf`), or not allowed"},
    },
)


def get_rasa(request: Request) -> RasaClient:
    """The app's Rasa client, opened by the lifespan (so it lives in the server's event loop)."""
    rasa: RasaClient | None = getattr(request.app.state, "rasa", None)
    if rasa is None:
        raise RasaUnavailable("the Rasa client is not running (the app was not started)")
    return rasa


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
# Grants need an Idempotency-Key (the page makes one per form it shows): a retry grants once.
IdempotencyDep = Annotated[IdempotentRequest, Depends(idempotent_request)]


@router.get("/me", response_model=MeOut)
def me(agent_session: DeskSessionDep, config: DeskConfigDep, policy: DiscountPolicyDep) -> MeOut:
    """Who is logged in, their limits, and the CSRF token every write must carry."""
    agent = agent_session.agent
    authority = authority_of(agent, config, policy)
    limits = authority.discount_limits
    return MeOut(
        agent_id=agent.id,
        username=agent.username,
        display_name=agent.display_name,
        role=str(agent.role),
        on_duty=agent.on_duty,
        csrf_token=agent_session.csrf_token,
        credit_limit=format_amount(authority.credit_limit_cents),
        discount_limits=DiscountLimitsOut(
            max_percent=limits.max_percent,
            max_monthly_amount=format_amount(limits.max_monthly_amount),
            max_months=limits.max_months,
        ),
    )


@router.post("/duty", response_model=DutyOut)
def duty(
    body: DutyIn, agent: DeskAgentDep, session: SessionDep, now: NowDep, events: DeskEventsDep
) -> DutyOut:
    set_on_duty(session, agent, body.on_duty, now)
    events.publish("queue", {})  # agents on duty changed
    return DutyOut(on_duty=agent.on_duty)


@router.get("/queue", response_model=QueueOut)
def queue(
    _agent: DeskAgentDep, session: SessionDep, now: NowDep, config: DeskConfigDep
) -> QueueOut:
    """Open tickets: queued ones in queue order, then claimed ones, then callbacks."""
    return queue_view(session, now, config)


@router.post("/tickets/{ticket_id}/claim", response_model=TicketSummary)
async def claim(
    ticket_id: Id,
    agent: DeskAgentDep,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    rasa: RasaDep,
    events: DeskEventsDep,
) -> TicketSummary:
    """Take the ticket (409 `already_claimed`); Rasa pauses the bot in that conversation."""
    try:
        ticket = await conversation.claim_and_pause(session, rasa, ticket_id, agent, now)
    except RasaUnavailable:  # claimed, not paused yet: claiming again pauses again
        events.ticket_changed(ticket_id, "claimed")
        raise
    events.ticket_changed(ticket.id, str(ticket.status))
    return await run_in_threadpool(ticket_summary, session, ticket, now, config)


@router.get("/tickets/{ticket_id}", response_model=TicketDetail)
def ticket(
    ticket_id: Id,
    agent: DeskAgentDep,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    policy: DiscountPolicyDep,
    settings: SettingsDep,
) -> TicketDetail:
    """The ticket, its transcript and, for a verified customer only, their account: to the
    agent who claimed the ticket and to supervisors (others: null, `account_visible` false)."""
    bot_limit = round_to_cents(settings.bot_credit_limit)
    return ticket_detail(session, ticket_id, agent, now, config, policy, bot_limit)


@router.post("/tickets/{ticket_id}/messages", status_code=201, response_model=MessageSentOut)
async def send_message(
    ticket_id: Id,
    body: AgentMessageIn,
    agent: DeskAgentDep,
    session: SessionDep,
    now: NowDep,
    rasa: RasaDep,
    events: DeskEventsDep,
) -> MessageSentOut:
    """Store the reply and send it to the customer through Rasa (503 `rasa_unavailable`: kept
    in the transcript with a "not delivered" line after it; send it again)."""
    try:
        message = await conversation.reply(session, rasa, ticket_id, agent, body.text, now)
    except RasaUnavailable:
        events.publish("ticket", {"ticket_id": ticket_id, "status": "claimed"})
        raise
    out = message_out(message)
    events.publish("message", {"ticket_id": ticket_id, "message": out.model_dump(mode="json")})
    return MessageSentOut(ticket_id=ticket_id, message=out)


@router.post("/tickets/{ticket_id}/credits", status_code=201, response_model=CreditGrantOut)
def grant_credit(
    ticket_id: Id,
    body: CreditIn,
    agent: DeskAgentDep,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    idempotency: IdempotencyDep,
) -> CreditGrantOut:
    """A finding's credit or a goodwill amount, within the role's limit (403 beyond it).
    A retry with the same Idempotency-Key gets the first answer and credits nothing more."""
    return grant_credit_as_agent(session, ticket_id, agent, body, config, now, idempotency)


@router.post("/tickets/{ticket_id}/discounts", status_code=201, response_model=DiscountGrantOut)
def grant_discount(
    ticket_id: Id,
    body: DiscountIn,
    agent: DeskAgentDep,
    session: SessionDep,
    now: NowDep,
    policy: DiscountPolicyDep,
    idempotency: IdempotencyDep,
) -> DiscountGrantOut:
    """A discount within the role's tier of the discount policy (403 beyond it).
    A retry with the same Idempotency-Key gets the first answer and grants nothing more."""
    return grant_discount_as_agent(session, ticket_id, agent, body, policy, now, idempotency)


@router.post("/tickets/{ticket_id}/resolve", response_model=TicketSummary)
async def resolve(
    ticket_id: Id,
    body: ResolveIn,
    agent: DeskAgentDep,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    rasa: RasaDep,
    events: DeskEventsDep,
) -> TicketSummary:
    """Record the outcome; Rasa resumes the bot and the customer gets the closing line."""
    ticket = await conversation.resolve_and_resume(session, rasa, ticket_id, agent, body, now)
    events.ticket_changed(ticket.id, str(ticket.status))
    return await run_in_threadpool(ticket_summary, session, ticket, now, config)


@router.get("/stats", response_model=StatsOut)
def stats(
    _supervisor: SupervisorDep,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    hours: Annotated[int, Query(ge=1, le=MAX_HOURS)] = 24,
) -> StatsOut:
    """The supervisor figures over the last `hours` (supervisors only: 403 `forbidden`)."""
    return desk_stats(session, now, hours, config)


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    request: Request, agent_session: DeskStreamSessionDep, events: DeskEventsDep
) -> StreamingResponse:
    """Server-Sent Events: `queue`, `message`, `ticket`, and a `ping` every 15 seconds; each
    connection ends after a minute and the browser reconnects (bot.desk.stream)."""
    queue = events.subscribe()  # now, before the response starts: no event is missed
    session_id = agent_session.id
    factory, clock = request.app.state.session_factory, get_clock(request)

    def live() -> bool:
        with factory() as db:
            return sessions.still_live(db, session_id, clock())

    async def still_live() -> bool:
        alive: bool = await run_in_threadpool(live)
        return alive

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        sse_events(events, queue, session_id, still_live),
        media_type="text/event-stream",
        headers=headers,
    )
