"""The website's socket.io channel on a real Sanic server with a real socket.io client.

It proves what the stock channel gets wrong with current python-socketio (RasaHQ/rasa#13027):
replies sent to the session (by the bot, or by an agent through `output_channel=latest`) reach the
browser, also after a reconnect with the same session id (a page reload).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from addons.channels import BLANK_MESSAGE
from addons.redaction import CARD_MASK
from addons.socketio_channel import PersistentSocketIOInput
from tests.addons.socketio_client import Browser, free_port


class Server:
    def __init__(self) -> None:
        self.channel = PersistentSocketIOInput.from_credentials({"metadata_key": "customData"})
        self.received: list[UserMessage] = []
        self.port = free_port()
        self.server: Any = None

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")

    async def start(self) -> None:
        app = Sanic(f"socketio_test_{self.port}")
        app.blueprint(self.channel.blueprint(self.on_new_message))
        self.server = await app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True
        )
        await self.server.startup()

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


# Sanic 21 cannot start a second app in one process: one server for the module's tests.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running_server() -> AsyncIterator[Server]:
    running = Server()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def server(running_server: Server) -> Server:
    running_server.received.clear()
    return running_server


async def test_replies_reach_the_session_and_cards_are_masked(server: Server) -> None:
    browser = Browser()
    session_id = await browser.open(server.port, None)
    await browser.say(session_id, "my card is 4111 1111 1111 1111")
    # The mask's brackets are sent as character references (addons/widget_text.py).
    assert (await browser.reply())["text"] == "echo: my card is &#91;card number removed&#93;"
    assert CARD_MASK == "[card number removed]"
    message = server.received[0]
    assert message.sender_id == session_id  # the conversation id is the widget's session
    assert message.input_channel == "socketio"
    assert message.metadata == {"language": "en", "client_address": "127.0.0.1"}
    await browser.close()


async def test_an_agent_reply_reaches_a_reloaded_page(server: Server) -> None:
    first = Browser()
    session_id = await first.open(server.port, None)
    await first.close()
    reloaded = Browser()  # the page reloads: same session id from local storage
    assert await reloaded.open(server.port, session_id) == session_id
    output = server.channel.get_output_channel()
    assert output is not None
    await output.send_text_message(session_id, "Maria (billing team): Hello!")
    assert (await reloaded.reply())["text"] == "Maria (billing team): Hello!"
    await reloaded.close()


async def test_an_agent_reply_reaches_the_widget_as_text(server: Server) -> None:
    browser = Browser()
    session_id = await browser.open(server.port, None)
    output = server.channel.get_output_channel()
    assert output is not None
    await output.send_text_message(session_id, "Maria (billing team): ![p](http://x.test/p.png)")
    await output.send_text_message(session_id, "Maria (billing team): [x](javascript:alert(1))")
    assert (await browser.reply())[
        "text"
    ] == "Maria (billing team): !&#91;p&#93;(http://x.test/p.png)"
    assert (await browser.reply())[
        "text"
    ] == "Maria (billing team): &#91;x&#93;(javascript:alert(1))"
    await browser.close()


async def test_blank_and_odd_messages_get_through_cleaned(server: Server) -> None:
    browser = Browser()
    session_id = await browser.open(server.port, "x" * 500)  # too long: a new id is made
    assert len(session_id) == 32
    await browser.say(session_id, "   ")
    assert (await browser.reply())["text"] == f"echo: {BLANK_MESSAGE}"
    await browser.client.emit("user_uttered", {"message": "no session"})
    await browser.client.emit("user_uttered", "not even a dict")
    await asyncio.sleep(0.3)
    assert [m.text for m in server.received] == [BLANK_MESSAGE]
    await browser.close()


async def test_a_widget_cannot_take_over_a_messaging_conversation(server: Server) -> None:
    """Messaging conversation ids come from platform ids (a Telegram user id, a phone number):
    a widget asking for one gets a new session, and a message naming one never reaches Rasa."""
    for taken in ("telegram-1111111", "WhatsApp-106540352242922-38640111222", " slack-D1-U2"):
        browser = Browser()
        session_id = await browser.open(server.port, taken)
        assert session_id != taken
        assert len(session_id) == 32
        await browser.close()
    browser = Browser()
    session_id = await browser.open(server.port, None)
    await browser.client.emit("user_uttered", {"message": "balance", "session_id": "telegram-1"})
    await browser.say(session_id, "hi")
    assert (await browser.reply())["text"] == "echo: hi"
    assert [(m.sender_id, m.text) for m in server.received] == [(session_id, "hi")]
    await browser.close()
