"""Helpers of the desk web tests: logging in through the form, the service-token header."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PASSWORDS = {"maria": "maria-demo", "tomaz": "tomaz-demo", "sara": "sara-demo"}
SERVICE = {"Authorization": "Bearer test-service-token"}  # the action server, the event broker
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


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
