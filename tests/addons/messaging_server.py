"""A Sanic server with the messaging channels, as one Rasa process would serve them, without a
model: `python -m tests.addons.messaging_server PORT RECORD_FILE` appends one JSON line per
message the channels hand over (what Rasa would get) to RECORD_FILE.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from addons.messaging.facebook import MessengerInput
from addons.messaging.slack import SlackInput
from addons.messaging.telegram import TelegramInput
from addons.messaging.whatsapp import WhatsAppInput


def main(port: int, record: Path) -> None:
    app = Sanic(f"messaging_{port}")

    async def on_new_message(message: UserMessage) -> None:
        line = {"sender": message.sender_id, "text": message.text, "port": port}
        with record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    for kind in (TelegramInput, WhatsAppInput, MessengerInput, SlackInput):
        channel = kind.from_credentials(None)
        app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{kind.name()}")
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
