"""A Sanic server with the website's socket.io channel, as one Rasa process would run it.

`python -m tests.addons.socketio_server PORT`: serves the channel and `POST /send` {"session_id",
"text"}, which sends a bot message to that session through the channel's output channel, the way
an agent's reply leaves Rasa. With SOCKETIO_REDIS_URL set, sessions connected to another process
get it too.
"""

from __future__ import annotations

import sys
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Sanic, response
from sanic.request import Request

from addons.socketio_channel import PersistentSocketIOInput


def main(port: int) -> None:
    channel = PersistentSocketIOInput.from_credentials({})
    app = Sanic(f"socketio_{port}")

    async def on_new_message(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"port {port}")

    app.blueprint(channel.blueprint(on_new_message))

    @app.post("/send")
    async def send(request: Request) -> Any:
        output = channel.get_output_channel()
        assert output is not None
        await output.send_text_message(request.json["session_id"], request.json["text"])
        return response.json({"sent": True})

    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
