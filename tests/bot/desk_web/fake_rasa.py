"""A stand-in for Rasa's HTTP API: a real HTTP server on a free loopback port (uvicorn in a thread).

It records every request (method, path, query, JSON body) and answers like Rasa 3.6 does:
POST /conversations/{id}/tracker/events -> the tracker; GET /conversations/{id}/tracker -> the
tracker with the events posted so far (plus any `events` preloaded by the test); POST
/conversations/{id}/execute -> the tracker (the action is recorded, see `executed`). `down = True`
makes it answer 503 (`execute_down`: only `/execute`); a wrong `?token=` gets 401.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

RASA_TOKEN = "test-rasa-token"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 200


@dataclass
class FakeRasa:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: bool = False
    execute_down: bool = False  # only `/execute` answers 503

    def posted(self, conversation_id: str) -> list[dict[str, Any]]:
        """The events posted and accepted for a conversation, in order."""
        path = f"/conversations/{conversation_id}/tracker/events"
        posted: list[dict[str, Any]] = []
        for r in self.requests:
            if r.method == "POST" and r.path == path and r.status == 200:
                posted.extend(r.body if isinstance(r.body, list) else [r.body])  # like Rasa
        return posted

    def kinds(self, conversation_id: str) -> list[str]:
        return [event["event"] for event in self.posted(conversation_id)]

    def bot_texts(self, conversation_id: str) -> list[str]:
        return [e["text"] for e in self.posted(conversation_id) if e["event"] == "bot"]

    def executed(self, conversation_id: str) -> list[str]:
        """The actions the back end had Rasa run (`/execute`) and Rasa accepted, in order."""
        path = f"/conversations/{conversation_id}/execute"
        return [
            r.body["name"]
            for r in self.requests
            if r.method == "POST" and r.path == path and r.status == 200
        ]

    def app(self) -> Starlette:
        async def tracker_events(request: Request) -> JSONResponse:
            return await self._answer(request, post=True)

        async def tracker(request: Request) -> JSONResponse:
            return await self._answer(request, post=False)

        async def execute(request: Request) -> JSONResponse:
            return await self._answer(request, post=True, store=False)

        return Starlette(
            routes=[
                Route("/conversations/{cid:path}/execute", execute, methods=["POST"]),
                Route("/conversations/{cid:path}/tracker/events", tracker_events, methods=["POST"]),
                Route("/conversations/{cid:path}/tracker", tracker, methods=["GET"]),
            ]
        )

    async def _answer(self, request: Request, *, post: bool, store: bool = True) -> JSONResponse:
        body = await request.json() if post else None
        recorded = Recorded(request.method, request.url.path, dict(request.query_params), body)
        self.requests.append(recorded)
        if self.down or (self.execute_down and request.url.path.endswith("/execute")):
            recorded.status = 503
            return JSONResponse({"status": "failure"}, status_code=503)
        if request.query_params.get("token") != RASA_TOKEN:
            recorded.status = 401
            return JSONResponse({"status": "failure", "reason": "NotAuthenticated"}, 401)
        cid = request.path_params["cid"]
        events = self.events.setdefault(cid, [])
        if post and store:
            for event in body if isinstance(body, list) else [body]:
                events.append({**event, "timestamp": time.time()})
        return JSONResponse({"sender_id": cid, "paused": False, "events": events})


@contextmanager
def running_fake_rasa() -> Iterator[FakeRasa]:
    """Start the fake on a free port; stop it (and wait for its thread) at the end."""
    fake = FakeRasa()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        fake.app(),
        http="h11",
        ws="none",
        loop="asyncio",
        lifespan="off",
        log_level="warning",
        log_config=None,  # as `bot serve`: no uvicorn handlers that bypass the root logger
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake Rasa server did not start")
        time.sleep(0.01)
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
