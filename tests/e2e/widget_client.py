"""A socket.io client standing in for the website widget, run with .venv-rasa's Python.

    .venv-rasa/bin/python tests/e2e/widget_client.py http://127.0.0.1:5005 SESSION_ID

Speaks the rasa-webchat protocol (python-socketio's AsyncClient): `session_request` with the
session id, then each line read from standard input is sent as a `user_uttered` message. Every
event it receives is printed as one JSON line on standard output (`{"event": "session_confirm"}`,
`{"event": "bot_uttered", "text": ...}`), flushed at once, so a test can read it as it happens.
End of input disconnects. The e2e tests run in .venv, which has no socket.io client.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import socketio


def emit_line(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


async def main(url: str, session_id: str) -> None:
    client = socketio.AsyncClient(reconnection=True)
    confirmed = asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        emit_line({"event": "session_confirm", "session_id": data})
        confirmed.set()

    @client.on("bot_uttered")
    async def on_bot(data: Any) -> None:
        text = data.get("text") if isinstance(data, dict) else None
        emit_line({"event": "bot_uttered", "text": text})

    @client.event
    async def connect() -> None:
        await client.emit("session_request", {"session_id": session_id})

    # Long polling only: this engine.io client's WebSocket needs a newer aiohttp than Rasa pins.
    await client.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
    await asyncio.wait_for(confirmed.wait(), timeout=30)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        message = line.rstrip("\n")
        await client.emit("user_uttered", {"message": message, "session_id": session_id})
        emit_line({"event": "sent", "text": message})
    await client.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
