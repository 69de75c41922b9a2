"""Who is at the desk: the session cookie, the CSRF header, the supervisor check, cookies.

    @router.post("/things")
    def change(agent_session: DeskSessionDep): ...     # 401 not_logged_in, 403 csrf

Every /desk/api request goes through `desk_session`: it finds the live session of the
`desk_session` cookie (sliding its idle expiry and marking the agent as seen) and, for any
method other than GET/HEAD/OPTIONS, requires `X-CSRF-Token` equal to the session's token.
The live stream uses `desk_stream_session`, which marks the agent as seen but does not slide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Depends, Request

from bot.api.deps import NowDep, SessionDep, SettingsDep
from bot.billing.errors import Forbidden, NotLoggedIn
from bot.desk.agents import mark_seen
from bot.desk.models import Agent, AgentSession
from bot.desk.sessions import (
    COOKIE_PATH,
    CSRF_HEADER,
    SESSION_COOKIE,
    LoginThrottle,
    current_session,
    find_session,
    require_csrf,
)
from bot.desk.types import AgentRole

if TYPE_CHECKING:
    from fastapi import Response

    from bot.settings import Settings

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def get_login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def desk_session(
    request: Request, session: SessionDep, now: NowDep, settings: SettingsDep
) -> AgentSession:
    """The caller's live desk session (401 `not_logged_in`); writes need the CSRF header."""
    token = request.cookies.get(SESSION_COOKIE)
    agent_session = current_session(session, token, now, settings.desk_session_minutes)
    if request.method not in SAFE_METHODS:
        require_csrf(agent_session.csrf_token, request.headers.get(CSRF_HEADER))
    return agent_session


def desk_stream_session(request: Request, session: SessionDep, now: NowDep) -> AgentSession:
    """For the live stream: the live session (401 else), the agent marked as seen, but the idle
    expiry not slid (the page reconnects its stream by itself; that is not the agent's doing)."""
    found = find_session(session, request.cookies.get(SESSION_COOKIE), now)
    if found is None:
        raise NotLoggedIn("not logged in (or the session has ended)")
    mark_seen(session, found.agent, now)
    return found


DeskSessionDep = Annotated[AgentSession, Depends(desk_session)]
DeskStreamSessionDep = Annotated[AgentSession, Depends(desk_stream_session)]
LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]


def desk_agent(agent_session: DeskSessionDep) -> Agent:
    return agent_session.agent


DeskAgentDep = Annotated[Agent, Depends(desk_agent)]


def require_supervisor(agent: DeskAgentDep) -> Agent:
    """The agent, if a supervisor (403 `forbidden` else)."""
    if agent.role is not AgentRole.SUPERVISOR:
        raise Forbidden("only supervisors may see this")
    return agent


SupervisorDep = Annotated[Agent, Depends(require_supervisor)]


def set_desk_cookie(response: Response, settings: Settings, name: str, value: str) -> None:
    """A desk cookie: HttpOnly, SameSite=Strict, Path=/desk, Secure when configured. A session
    cookie for the browser (no Max-Age): the server decides when the session ends."""
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.desk_secure_cookie,
    )


def delete_desk_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name, path=COOKIE_PATH, httponly=True, samesite="strict", secure=settings.desk_secure_cookie
    )
