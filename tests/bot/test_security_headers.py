"""Security headers on every kind of answer of the back end (bot.api.security_headers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.security_headers import API_CSP, DESK_CSP, DOCS_CSP, chat_csp, socket_origins
from bot.settings import Settings


@pytest.fixture
def client(tmp_path: Path, api_settings: Settings) -> Iterator[TestClient]:
    settings = api_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'site.db'}",
            "rasa_public_url": "https://chat.example.test",
        }
    )
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/chat/start.js", 200),
        ("/desk/login", 200),
        ("/desk", 303),
        ("/desk/static/desk.js", 200),
        ("/desk/api/queue", 401),
        ("/health", 200),
        ("/api/v1/accounts/100001", 401),
        ("/api/v1/handoffs/0/withdraw", 405),
        ("/nowhere", 404),
        ("/openapi.json", 200),
        ("/docs", 200),
    ],
)
def test_every_answer_carries_the_headers(client: TestClient, path: str, status: int) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == status
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert len(answer.headers.get_list("content-security-policy")) == 1
    policy = _policy(answer.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    if path not in ("/docs",):
        assert "'unsafe-inline'" not in policy.get("script-src", [])
        assert "'unsafe-eval'" not in policy.get("script-src", [])


def test_each_kind_of_page_gets_its_policy(client: TestClient) -> None:
    assert client.get("/").headers["content-security-policy"] == chat_csp(
        "https://chat.example.test"
    )
    assert client.get("/desk/login").headers["content-security-policy"] == DESK_CSP
    assert client.get("/health").headers["content-security-policy"] == API_CSP
    assert client.get("/docs").headers["content-security-policy"] == DOCS_CSP


def test_the_chat_page_may_reach_rasa_and_nothing_else(client: TestClient) -> None:
    policy = _policy(client.get("/").headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]  # no image from anywhere else
    assert policy["font-src"] == ["'self'", "data:"]  # the widget's own embedded font
    assert policy["connect-src"] == [
        "'self'",
        "https://chat.example.test",
        "wss://chat.example.test",
    ]


def test_socket_origins() -> None:
    assert socket_origins("http://localhost:5005") == "http://localhost:5005 ws://localhost:5005"
    assert socket_origins("https://chat.example.test/") == (
        "https://chat.example.test wss://chat.example.test"
    )
    with pytest.raises(ValueError, match="RASA_PUBLIC_URL"):
        socket_origins("javascript:alert(1)")
