"""Helpers of the desk web tests: logging in through the form, the service-token header."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from tests.bot.desk import helpers as desk_helpers

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock

PASSWORDS = {"maria": "maria-demo", "tomaz": "tomaz-demo", "sara": "sara-demo"}
SERVICE = {"Authorization": "Bearer test-service-token"}  # the action server, the event broker
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# What the analytics cache (bot/analytics/cache.py) adds to each JSON answer of /desk/api/analytics.
CACHE_FIELDS = frozenset({"computed_at", "cache_seconds"})


def figures(answer: dict[str, Any]) -> dict[str, Any]:
    """An analytics answer without the cache's fields: the figures alone, as in the report."""
    return {key: value for key, value in answer.items() if key not in CACHE_FIELDS}


def login_csrf(client: TestClient) -> str:
    """GET the login form: sets the `desk_csrf` cookie; returns the hidden field's value."""
    page = client.get("/desk/login")
    assert page.status_code == 200
    found = _CSRF_FIELD.search(page.text)
    assert found is not None
    return found.group(1)


def log_in(client: TestClient, username: str, password: str | None = None) -> str:
    """Log in through the form (as nobody else: a logged-in browser skips the form); sets the
    session's X-CSRF-Token header; returns the token."""
    client.cookies.clear()
    token = login_csrf(client)
    answer = client.post(
        "/desk/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    csrf = str(client.get("/desk/api/me").json()["csrf_token"])
    client.headers["X-CSRF-Token"] = csrf
    return csrf


ACCOUNT = "100001"


def open_ticket(
    client: TestClient,
    engine: Engine,
    clock: FakeClock,
    conversation_id: str,
    *,
    verified: bool,
    **fields: Any,
) -> int:
    """A ticket opened the way the action server opens it (verified first, if asked)."""
    if verified:
        with Session(engine) as session:
            desk_helpers.verify(session, conversation_id, ACCOUNT, clock())
    body = {
        "conversation_id": conversation_id,
        "channel": "socketio",
        "reason": "customer_request",
        "summary": "Asked why the bill went up; asked for a person.",
        "transcript": [{"sender": "customer", "text": "why is my bill so high"}],
        **fields,
    }
    answer = client.post("/api/v1/handoffs", json=body, headers=SERVICE)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["ticket_id"])
