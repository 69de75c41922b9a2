"""Desk login: the form and its CSRF pair, cookies, throttling, idle expiry, logout, pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.models import Agent, AgentSession
from bot.desk.sessions import token_hash
from tests.bot.api_helpers import expect_error
from tests.bot.desk_web.helpers import log_in, login_csrf

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock


def _agent(engine: Engine, username: str) -> Agent:
    with Session(engine) as session:
        return session.scalars(select(Agent).where(Agent.username == username)).one()


def _post_login(
    client: TestClient, username: str, password: str, csrf: str | None
) -> httpx.Response:
    form = {"username": username, "password": password}
    if csrf is not None:
        form["csrf_token"] = csrf
    return client.post("/desk/login", data=form, follow_redirects=False)


def test_login_sets_a_strict_session_cookie_and_puts_the_agent_on_duty(
    desk_client: TestClient, seeded_db: Engine
) -> None:
    form_page = desk_client.get("/desk/login")
    assert 'name="csrf_token"' in form_page.text
    assert "desk_csrf=" in form_page.headers["set-cookie"]
    csrf = login_csrf(desk_client)

    answer = desk_client.post(
        "/desk/login",
        data={"username": "maria", "password": "maria-demo", "csrf_token": csrf},
        follow_redirects=False,
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/desk"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("desk_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/desk" in cookie
    assert "Secure" not in cookie  # APP_ENV=test: no HTTPS in tests
    token = answer.cookies["desk_session"]
    with Session(seeded_db) as session:
        stored = session.scalars(select(AgentSession)).all()[-1]
        assert stored.token_hash == token_hash(token)  # only the hash is kept
        assert token not in {stored.token_hash, stored.csrf_token}
    assert _agent(seeded_db, "maria").on_duty is True
    again = desk_client.get("/desk/login", follow_redirects=False)
    assert again.status_code == 303  # logged in: straight to the desk
    page = desk_client.get("/desk")
    assert page.status_code == 200
    assert "Billing support desk" in page.text
    assert "Maria Novak" in page.text


def test_wrong_password_and_unknown_user_get_the_same_answer(desk_client: TestClient) -> None:
    wrong = _post_login(desk_client, "maria", "nope", login_csrf(desk_client))
    unknown = _post_login(desk_client, "nobody", "nope", login_csrf(desk_client))

    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Wrong username or password" in answer.text
        assert "desk_session" not in answer.cookies
    expect_error(desk_client.get("/desk/api/me"), 401, "not_logged_in")


def test_five_wrong_passwords_lock_the_username_for_fifteen_minutes(
    desk_client: TestClient, clock: FakeClock
) -> None:
    for _ in range(5):
        answer = _post_login(desk_client, "maria", "wrong", login_csrf(desk_client))
        assert answer.status_code == 401

    refused = _post_login(desk_client, "Maria", "maria-demo", login_csrf(desk_client))
    assert refused.status_code == 401
    assert "Wrong username or password" in refused.text
    other = _post_login(desk_client, "tomaz", "tomaz-demo", login_csrf(desk_client))
    assert other.status_code == 303  # per username

    desk_client.cookies.clear()  # tomaz's session
    clock.advance(minutes=15)
    again = _post_login(desk_client, "maria", "maria-demo", login_csrf(desk_client))
    assert again.status_code == 303


def test_login_without_the_csrf_cookie_or_field_is_refused(desk_client: TestClient) -> None:
    csrf = login_csrf(desk_client)

    no_field = _post_login(desk_client, "maria", "maria-demo", None)
    wrong_field = _post_login(desk_client, "maria", "maria-demo", "forged")
    desk_client.cookies.clear()
    no_cookie = _post_login(desk_client, "maria", "maria-demo", csrf)

    for answer in (no_field, wrong_field, no_cookie):
        assert answer.status_code == 403
        assert "expired" in answer.text
        assert "desk_session" not in answer.cookies


def test_the_session_ends_after_idle_minutes_and_slides_with_use(
    desk_client: TestClient, clock: FakeClock
) -> None:
    log_in(desk_client, "maria")

    clock.advance(minutes=479)
    assert desk_client.get("/desk/api/me").status_code == 200  # slides the expiry
    clock.advance(minutes=479)
    assert desk_client.get("/desk/api/me").status_code == 200
    clock.advance(minutes=480)

    expect_error(desk_client.get("/desk/api/me"), 401, "not_logged_in")
    page = desk_client.get("/desk", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/desk/login"


def test_logout_ends_the_session_and_takes_the_agent_off_duty(
    desk_client: TestClient, seeded_db: Engine
) -> None:
    log_in(desk_client, "maria")  # the header, as the page's script would send it
    assert desk_client.post("/desk/logout", follow_redirects=False).status_code == 303
    expect_error(desk_client.get("/desk/api/me"), 401, "not_logged_in")

    csrf = log_in(desk_client, "maria")
    del desk_client.headers["X-CSRF-Token"]  # the page's sign-out form sends a hidden field
    forged = desk_client.post("/desk/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert desk_client.get("/desk/api/me").status_code == 200

    answer = desk_client.post("/desk/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/desk/login"
    expect_error(desk_client.get("/desk/api/me"), 401, "not_logged_in")
    assert _agent(seeded_db, "maria").on_duty is False


def test_pages_redirect_to_login_and_the_supervisor_pages_are_for_supervisors(
    desk_client: TestClient,
) -> None:
    for path in ("/desk", "/desk/supervisor", "/desk/service"):
        answer = desk_client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/desk/login"

    log_in(desk_client, "maria")
    assert desk_client.get("/desk/supervisor").status_code == 403
    assert desk_client.get("/desk/service").status_code == 403
    assert 'id="supervisor-link"' not in desk_client.get("/desk").text

    log_in(desk_client, "sara")
    page = desk_client.get("/desk/supervisor")
    assert page.status_code == 200
    assert 'id="stats-queue-length"' in page.text
    service = desk_client.get("/desk/service")
    assert service.status_code == 200
    assert 'id="service-days"' in service.text
    assert 'id="supervisor-link"' in desk_client.get("/desk").text


def test_pages_are_not_cached_and_allow_only_their_own_scripts(desk_client: TestClient) -> None:
    page = desk_client.get("/desk/login")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("desk.css", "common.js", "account.js", "desk.js", "supervisor.js"):
        assert desk_client.get(f"/desk/static/{asset}").status_code == 200


def test_names_are_escaped_in_pages(desk_client: TestClient, seeded_db: Engine) -> None:
    with Session(seeded_db) as session:
        agent = session.scalars(select(Agent).where(Agent.username == "tomaz")).one()
        original, agent.display_name = agent.display_name, '<script>alert("x")</script>'
        session.commit()
    try:
        log_in(desk_client, "tomaz")
        page = desk_client.get("/desk").text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    finally:
        with Session(seeded_db) as session:
            agent = session.scalars(select(Agent).where(Agent.username == "tomaz")).one()
            agent.display_name = original
            session.commit()
