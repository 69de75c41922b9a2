"""The website widget's socket.io channel: persistent sessions that work, card numbers masked.

Rasa 3.6's stock `socketio` channel calls `enter_room` without `await`; with python-socketio >= 5.10
the browser never joins its session's room, so no reply reaches it (RasaHQ/rasa#13027). This
channel keeps the stock name ("socketio", so trackers, `output_channel=latest` and the widget all
still match) and:

* always keeps sessions: the conversation id is the widget's session id, so a page reload continues
  the same conversation and the agent desk can reach the customer through Rasa's HTTP API;
* awaits `enter_room`, so replies sent to the session's room (the bot's, and an agent's sent with
  `execute_side_effects`) reach every tab of that session;
* masks card numbers and passes blank messages on like the REST channel does;
* applies the input rule of addons/incoming.py: a payload whose message is not a string, or is
  longer than `MAX_MESSAGE_CHARS`, gets a short answer and never reaches Rasa;
* puts the client's address, taken when the socket connects, into the metadata (`client_address`);
* with `SOCKETIO_REDIS_URL` set, uses python-socketio's Redis manager, so several Rasa processes
  behind a load balancer (sticky sessions) can emit to a browser connected to another one.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from addons.channels import clean_incoming_text
from addons.incoming import (
    NOT_TEXT_KEY,
    IncomingMessageError,
    MessageTooLong,
    check_text,
    client_address,
    is_messaging_conversation,
    reply_text,
    with_client_address,
)
from addons.widget_text import WidgetOutput

logger = logging.getLogger(__name__)

REDIS_URL_VARIABLE = "SOCKETIO_REDIS_URL"
_SESSION_ID_LENGTH = 64


def _session_id(data: Any) -> str:
    """The widget's session id if it sent a sane one, else a new one."""
    if isinstance(data, dict):
        given = data.get("session_id")
        if _acceptable_session_id(given):
            return str(given)
    return uuid.uuid4().hex


def _acceptable_session_id(given: object) -> bool:
    """A sane id the widget may resume; never a messaging channel's conversation."""
    return (
        isinstance(given, str)
        and 0 < len(given) <= _SESSION_ID_LENGTH
        and given.isprintable()
        and not is_messaging_conversation(given)
    )


def _metadata(data: dict[str, Any], key: str) -> dict[str, Any]:
    metadata = data.get(key) or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    return metadata if isinstance(metadata, dict) else {}


def _connect_address(environ: dict[str, Any]) -> str | None:
    # python-socketio's Sanic driver sets REMOTE_ADDR to 127.0.0.1 whatever the peer: ask Sanic.
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) or environ.get("REMOTE_ADDR")
    return client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"))


def _refusal(error: IncomingMessageError, metadata: dict[str, Any]) -> str:
    if isinstance(error, MessageTooLong):
        return error.reply_in(metadata)
    return reply_text(NOT_TEXT_KEY, metadata)


def _client_manager() -> AsyncRedisManager | None:
    url = os.environ.get(REDIS_URL_VARIABLE)
    return AsyncRedisManager(url) if url else None


class PersistentSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with working persistent sessions (see the module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            True,
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return WidgetOutput(self.sio, self.bot_message_evt)  # text shown literally, not as markdown

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # cors_allowed_origins=[] leaves CORS to Sanic (`rasa run --cors`), like the stock channel.
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=[], client_manager=_client_manager()
        )
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict[str, Any], *_: Any) -> bool:
            address = _connect_address(environ)
            await sio.save_session(sid, {"client_address": address}, namespace=self.namespace)
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = _session_id(data)
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("socketio.session", extra={"sid": sid})

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not _acceptable_session_id(data.get("session_id")):
                logger.warning("socketio.message_without_session", extra={"sid": sid})
                return
            metadata = _metadata(data, self.metadata_key or "metadata")
            try:
                text = check_text(data.get("message"))
            except IncomingMessageError as error:
                logger.info("socketio.message_refused", extra={"sid": sid, "code": error.code})
                reply = {"text": _refusal(error, metadata)}
                await sio.emit(self.bot_message_evt, reply, room=sid, namespace=self.namespace)
                return
            session = await sio.get_session(sid, namespace=self.namespace)
            message = UserMessage(
                clean_incoming_text(text),
                WidgetOutput(sio, self.bot_message_evt),
                data["session_id"],
                input_channel=self.name(),
                metadata=with_client_address(metadata, session.get("client_address")),
            )
            await on_new_message(message)

        return blueprint
