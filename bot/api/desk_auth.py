"""Who is at the desk: the session cookie, the CSRF header, the supervisor check, cookies, and
the login's throttle and client address (X-Forwarded-For only from TRUSTED_PROXIES).

    @router.post("/things")
    def change(agent_session: DeskSessionDep): ...     # 401 not_logged_in, 403 csrf

Every /desk/api request goes through `desk_session`: it finds the live session of the
`desk_session` cookie (sliding its idle expiry and marking the agent as seen) and, for any
method other than GET/HEAD/OPTIONS, requires `X-CSRF-Token` equal to the session's token.
The live stream uses `desk_stream_session`, which marks the agent as seen but does not slide.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Depends, Request

from bot.api.deps import NowDep, SessionDep, SettingsDep
from bot.core.errors import Forbidden, NotLoggedIn
from bot.desk.agents import mark_seen
from bot.desk.login_throttle import LoginThrottle
from bot.desk.models import Agent, AgentSession
from bot.desk.sessions import (
    COOKIE_PATH,
    CSRF_HEADER,
    SESSION_COOKIE,
    current_session,
    find_session,
    require_csrf,
)
from bot.desk.types import AgentRole

if TYPE_CHECKING:
    from fastapi import Response

    from bot.settings import Settings

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def get_login_throttle(settings: SettingsDep) -> LoginThrottle:
    """Desk login throttling (its counts live in the database, shared by every process)."""
    return LoginThrottle.from_settings(settings)


def client_address(request: Request, settings: SettingsDep) -> str:
    """The client's address: the connection's peer, or, when the peer is one of
    TRUSTED_PROXIES, the nearest hop of X-Forwarded-For that is not (right to left: each
    trusted proxy vouches for the hop before it). A client cannot name itself otherwise."""
    peer = request.client.host if request.client is not None else ""
    proxies = settings.trusted_proxy_networks
    if not proxies or not _among(peer, proxies):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _among(hop, proxies):
            return hop if _is_address(hop) else peer
    return hops[0] if hops else peer


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _among(text: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        address = ip_address(text)
    except ValueError:
        return False
    return any(address in network for network in networks)


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
ClientAddressDep = Annotated[str, Depends(client_address)]


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
