"""Rasa's endpoint calls over kept-alive connections: the same requests and answers as Rasa's own
method, one TCP connection for many calls, and nothing but the connection shared between them
(no cookie, header or parameter of one call reaches another)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from addons import pooled_endpoints


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ActionServer:
    """A real HTTP server that records what each request carried and from which connection."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.seen.append(
            {
                "connection": peer[1] if peer else None,
                "cookie": request.headers.get("Cookie"),
                "headers": dict(request.headers),
                "query": dict(request.query),
                "body": body,
            }
        )
        kind = (body or {}).get("kind")
        if kind == "fail":
            return web.Response(status=500, text="boom")
        if kind == "text":
            return web.Response(text="not json")
        response = web.json_response({"events": [], "echo": body})
        # A server that sets a cookie for one conversation must not see it in another's call.
        response.set_cookie("session", f"for-{(body or {}).get('sender_id')}")
        return response


@pytest.fixture
async def server() -> AsyncIterator[tuple[ActionServer, str]]:
    recorder = ActionServer()
    app = web.Application()
    app.router.add_post("/webhook", recorder.webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield recorder, f"http://127.0.0.1:{port}/webhook"
    await runner.cleanup()


@pytest.fixture
def pooled() -> Any:
    pooled_endpoints.install()
    yield
    pooled_endpoints.uninstall()


def endpoint(url: str) -> EndpointConfig:
    return EndpointConfig(url, headers={"Authorization": "Bearer t0ken"}, token="q-token")


async def close(config: EndpointConfig) -> None:
    await pooled_endpoints.pooled_session(config).close()


async def test_many_calls_share_one_connection_and_nothing_else(
    server: tuple[ActionServer, str], pooled: None
) -> None:
    recorder, url = server
    config = endpoint(url)
    answers = [
        await config.request(json={"sender_id": sender}, method="post")
        for sender in ("ana", "bor", "ana", "cene")
    ]
    await close(config)

    assert [answer["echo"]["sender_id"] for answer in answers] == ["ana", "bor", "ana", "cene"]
    assert len({call["connection"] for call in recorder.seen}) == 1  # one kept-alive connection
    assert [call["cookie"] for call in recorder.seen] == [None] * 4  # no cookie carried over
    for call in recorder.seen:
        assert call["headers"]["Authorization"] == "Bearer t0ken"
        assert call["query"] == {"token": "q-token"}


async def test_a_call_carries_only_its_own_headers_and_parameters(
    server: tuple[ActionServer, str], pooled: None
) -> None:
    recorder, url = server
    config = endpoint(url)
    await config.request(json={}, headers={"X-Conversation": "ana"}, params={"only": "first"})
    await config.request(json={})
    await close(config)

    first, second = recorder.seen
    assert first["headers"]["X-Conversation"] == "ana"
    assert first["query"] == {"token": "q-token", "only": "first"}
    assert "X-Conversation" not in second["headers"]
    assert second["query"] == {"token": "q-token"}


async def test_answers_and_errors_are_rasas(server: tuple[ActionServer, str]) -> None:
    """The same calls through Rasa's method and through the pooled one give the same results."""
    _, url = server

    async def outcomes() -> list[Any]:
        config = endpoint(url)
        results: list[Any] = []
        for body in ({"sender_id": "ana"}, {"kind": "text"}, {"kind": "fail"}):
            try:
                results.append(await config.request(json=body, method="post"))
            except ClientResponseError as error:
                results.append(("error", error.status, error.text))
        return results

    rasas = await outcomes()
    pooled_endpoints.install()
    try:
        ours = await outcomes()
    finally:
        pooled_endpoints.uninstall()
    assert ours == rasas
    assert rasas[1] is None
    assert rasas[2] == ("error", 500, b"boom")


async def test_an_idle_connection_is_closed_before_the_server_would(
    server: tuple[ActionServer, str], pooled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, url = server
    monkeypatch.setattr(pooled_endpoints, "KEEPALIVE_S", 0.2)
    config = endpoint(url)
    await config.request(json={})
    await asyncio.sleep(0.6)
    await config.request(json={})
    await close(config)
    assert recorder.seen[0]["connection"] != recorder.seen[1]["connection"]
    assert pooled_endpoints.KEEPALIVE_S < 5  # Sanic's keep-alive timeout on the action server


async def test_a_closed_session_is_replaced(server: tuple[ActionServer, str], pooled: None) -> None:
    _, url = server
    config = endpoint(url)
    await config.request(json={})
    await close(config)
    assert (await config.request(json={"sender_id": "ana"}))["echo"] == {"sender_id": "ana"}
    await close(config)
