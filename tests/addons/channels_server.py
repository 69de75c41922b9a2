"""A Sanic app with both customer channels registered the way `rasa run` registers them.

`python -m tests.addons.channels_server PORT`: the REST and socket.io channels under /webhooks/
(Rasa's `register`), with a stand-in for Rasa's `agent.handle_message` that records each message
and answers "echo <length>" (or fails, for the text "fail please"). For the tests only:
`GET /test/received` lists what reached "Rasa", `DELETE /test/received` clears it, and
`POST /test/env` sets environment variables (the channels read their limits at each message).
A separate process because Sanic 21 cannot start a second app in one process.
"""

from __future__ import annotations

import logging
import os
import sys
from types import SimpleNamespace
from typing import Any

from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic, response
from sanic.request import Request

from addons.channels import MaskingRestInput
from addons.socketio_channel import PersistentSocketIOInput


class CapturingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {record.__dict__}")


def main(port: int) -> None:
    app = Sanic(f"channels_{port}")
    received: list[dict[str, Any]] = []
    logs = CapturingHandler()
    logging.getLogger().addHandler(logs)
    logging.getLogger().setLevel(logging.DEBUG)

    async def handle_message(message: UserMessage) -> None:
        received.append(
            {
                "sender": message.sender_id,
                "text": message.text,
                "input_channel": message.input_channel,
                "metadata": message.metadata,
            }
        )
        if message.text == "fail please":
            raise RuntimeError("a part of the product is down")
        await message.output_channel.send_text_message(
            message.sender_id, f"echo {len(message.text)}"
        )

    socketio = PersistentSocketIOInput.from_credentials({"metadata_key": "customData"})
    register([MaskingRestInput(), socketio], app, route="/webhooks/")
    app.ctx.agent = SimpleNamespace(handle_message=handle_message)

    @app.get("/test/received")
    async def list_received(_: Request) -> Any:
        return response.json({"received": received, "logs": "\n".join(logs.lines)})

    @app.delete("/test/received")
    async def clear_received(_: Request) -> Any:
        received.clear()
        logs.lines.clear()
        return response.json({})

    @app.post("/test/env")
    async def set_env(request: Request) -> Any:
        for key, value in request.json.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        return response.json({})

    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
