"""The desk's pages and its login: /desk/login, /desk/logout, /desk, /desk/supervisor.

The login form is protected by a double-submit CSRF token: GET /desk/login sets the `desk_csrf`
cookie and puts the same value in a hidden field; POST /desk/login needs both, equal. After
login the session's own CSRF token protects logout (hidden field) and the JSON API (header).
Pages are sent with `Cache-Control: no-store` and a strict Content-Security-Policy (scripts
and styles only from /desk/static, no inline code).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Final
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from bot.api.deps import NowDep, SessionDep, SettingsDep
from bot.api.desk_auth import (
    ClientAddressDep,
    LoginThrottleDep,
    delete_desk_cookie,
    set_desk_cookie,
)
from bot.api.desk_deps import DeskEventsDep
from bot.commerce.policy import PROJECT_ROOT
from bot.core.errors import NotLoggedIn
from bot.desk.sessions import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    LoginRefused,
    current_session,
    find_session,
    log_in,
    log_out,
    new_token,
    same_token,
)
from bot.desk.stream import SESSION_ENDED
from bot.desk.types import AgentRole
from bot.desk.web import (
    FORM_EXPIRED,
    desk_page,
    login_page,
    message_page,
    retention_page,
    service_page,
    supervisor_page,
)

router = APIRouter(prefix="/desk", tags=["desk pages"], include_in_schema=False)

# The Content-Security-Policy and the other security headers: bot.api.security_headers.
PAGE_HEADERS: Final = {"Cache-Control": "no-store"}
_MAX_FORM_BYTES: Final = 8192


def _page(html: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/desk/login", status_code=303, headers={"Cache-Control": "no-store"})


def _login_form(
    settings: SettingsDep, status_code: int = 200, error: str | None = None, username: str = ""
) -> HTMLResponse:
    """The login page with a fresh double-submit CSRF token (cookie + hidden field)."""
    token = new_token()
    response = _page(login_page(token, error, username), status_code)
    set_desk_cookie(response, settings, CSRF_COOKIE, token)
    return response


async def form_fields(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as a dict (first value of each field). Read in
    an async dependency so the routes themselves run in the thread pool (database, scrypt)."""
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


@router.get("/login")
def login_form(
    request: Request, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    """The form; someone already logged in goes straight to the desk."""
    if find_session(session, request.cookies.get(SESSION_COOKIE), now) is not None:
        return RedirectResponse("/desk", status_code=303, headers={"Cache-Control": "no-store"})
    return _login_form(settings)


FormDep = Annotated[dict[str, str], Depends(form_fields)]


@router.post("/login")
def login(
    request: Request,
    form: FormDep,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    address: ClientAddressDep,
    events: DeskEventsDep,
) -> Response:
    """Check the CSRF pair and the password (throttled per username and per client address,
    see bot.desk.login_throttle); start a session and go to the desk."""
    username = form.get("username", "").strip()[:64]
    if not same_token(request.cookies.get(CSRF_COOKIE), form.get("csrf_token")):
        return _login_form(settings, 403, FORM_EXPIRED, username)
    try:
        started = log_in(
            session,
            throttle,
            username,
            form.get("password", ""),
            address,
            now,
            settings.desk_session_minutes,
        )
    except LoginRefused as refused:
        return _login_form(settings, 401, f"{refused.message}.", username)
    events.publish("queue", {})  # one more agent on duty
    response = RedirectResponse("/desk", status_code=303, headers={"Cache-Control": "no-store"})
    set_desk_cookie(response, settings, SESSION_COOKIE, started.token)
    delete_desk_cookie(response, settings, CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request,
    form: FormDep,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    events: DeskEventsDep,
) -> Response:
    """End the session (CSRF: hidden field `csrf_token` or header) and take the agent off duty."""
    agent_session = find_session(session, request.cookies.get(SESSION_COOKIE), now)
    if agent_session is not None:
        given = request.headers.get(CSRF_HEADER) or form.get("csrf_token")
        if not same_token(agent_session.csrf_token, given):
            page = message_page("Not signed out", "That form expired.", "/desk", "Back to the desk")
            return _page(page, 403)
        log_out(session, agent_session, now)
        events.publish(SESSION_ENDED, {"session_id": agent_session.id})  # ends its live streams
        events.publish("queue", {})  # agents on duty changed
    response = _to_login()
    delete_desk_cookie(response, settings, SESSION_COOKIE)
    return response


@router.get("")
def desk(request: Request, session: SessionDep, now: NowDep, settings: SettingsDep) -> Response:
    try:
        agent_session = current_session(
            session, request.cookies.get(SESSION_COOKIE), now, settings.desk_session_minutes
        )
    except NotLoggedIn:
        return _to_login()
    agent = agent_session.agent
    html = desk_page(
        agent.display_name, agent_session.csrf_token, agent.role is AgentRole.SUPERVISOR
    )
    return _page(html)


def _for_supervisors(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    render: Callable[[str, str], str],
) -> Response:
    """A supervisors' page rendered with (display name, CSRF token); the login page for nobody,
    a 403 page for an agent."""
    try:
        agent_session = current_session(
            session, request.cookies.get(SESSION_COOKIE), now, settings.desk_session_minutes
        )
    except NotLoggedIn:
        return _to_login()
    agent = agent_session.agent
    if agent.role is not AgentRole.SUPERVISOR:
        page = message_page(
            "Supervisors only", "Only supervisors see the figures.", "/desk", "Back to the desk"
        )
        return _page(page, 403)
    return _page(render(agent.display_name, agent_session.csrf_token))


@router.get("/supervisor")
def supervisor(
    request: Request, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    return _for_supervisors(request, session, now, settings, supervisor_page)


@router.get("/service")
def service(request: Request, session: SessionDep, now: NowDep, settings: SettingsDep) -> Response:
    """The Service page: containment, satisfaction and handoffs with charts (supervisors)."""
    return _for_supervisors(request, session, now, settings, service_page)


@router.get("/retention")
def retention(
    request: Request, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    """The Retention page: offers vs holdout, survival, practices and uplift with charts."""
    return _for_supervisors(request, session, now, settings, retention_page)


@router.get("/vendor/chart.umd.min.js")
def chart_bundle(settings: SettingsDep) -> Response:
    """Chart.js, vendored from npm by `make setup` (Makefile), served from our own origin."""
    bundle = Path(settings.chart_bundle_path).expanduser()
    if not bundle.is_absolute():
        bundle = PROJECT_ROOT / bundle
    if not bundle.is_file():
        return Response("the chart library is not vendored yet: run make setup", status_code=503)
    return FileResponse(bundle, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
