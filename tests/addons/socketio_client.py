"""A socket.io client that behaves like the website widget, for the channel's tests."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import socketio


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """A socket.io client that behaves like the widget: session_request, then user_uttered."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.session: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", self._confirmed)

    async def _confirmed(self, session_id: str) -> None:
        if not self.session.done():
            self.session.set_result(session_id)

    async def open(self, port: int, session_id: str | None) -> str:
        await self.client.connect(f"http://127.0.0.1:{port}", transports=["polling"])
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.session, 5)

    async def say(self, session_id: str, text: str) -> None:
        payload = {"message": text, "session_id": session_id, "customData": {"language": "en"}}
        await self.client.emit("user_uttered", payload)

    async def close(self) -> None:
        """Leave without waiting for the pending long-poll (a closed tab does not wait either)."""
        await self.client.eio.disconnect(abort=True)

    async def reply(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.replies.get(), 5)
