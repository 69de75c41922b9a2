"""What the four messaging channels share: the webhook (signature first, then de-duplication,
then the input rules) and handing a message to Rasa; sending Rasa's messages back is output.py.

A platform's module supplies only its own parts: how a request proves its origin, how its JSON
becomes messages, how a conversation id maps to its address, and how a message is rendered.

Order of checks on `POST /webhooks/<name>/webhook`, so nothing unproven reaches Rasa: channel off
-> 404; body over `MAX_BODY_BYTES` -> 413 (the route streams its body: Sanic would otherwise read
up to its REQUEST_MAX_SIZE, 100 MB, before the handler runs; a larger Content-Length is refused
unread, a chunked body as soon as it passes the limit); no or wrong signature -> 401 / 403; not
the platform's JSON -> 400; then 200 at once, each new delivery (not seen before, not older than the
de-duplication memory where the signed body dates it) handled in the background (platforms retry
deliveries they think failed, and Slack waits three seconds at most). A message that is not text
or is over `MAX_MESSAGE_CHARS` gets the channel's short answer and never reaches Rasa; card numbers
are masked before it does (addons/channels.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from addons.channels import clean_incoming_text
from addons.incoming import (
    FAILURE_KEY,
    NOT_TEXT_KEY,
    IncomingMessageError,
    MessageTooLong,
    check_text,
    reply_text,
)
from addons.messaging.deliveries import DELIVERY_TTL_S, ChannelMemory, memory_from_env
from addons.messaging.output import MessagingOutput, PlatformApi, PlatformError
from addons.messaging.settings import ChannelSettings, channel_settings
from addons.messaging.signatures import SignatureError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 256 * 1024
LOCALE_KEY: Final = "locale"
_REFERENCE: Final = "ref:"
_OPTIONS_TTL_S: Final = 24 * 3600


class BadPayload(Exception):
    """The body is not the platform's JSON."""


@dataclass(frozen=True)
class Incoming:
    """One customer message in a platform delivery; `text` is None when it is not text."""

    delivery_id: str
    conversation_id: str
    text: str | None
    locale: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    sent_at: float | None = None  # seconds since the epoch, when the signed body says


async def receive_body_within(request: Request, limit: int) -> bool:
    """Read a streamed request's body into `request.body` unless it is over `limit` bytes
    (False: refused by its Content-Length before any of it is read, or as soon as a chunked body
    passes the limit). Sanic reads no more of a refused body: it closes the connection."""
    if request.stream is not None:
        request.stream.request_max_size = limit  # Sanic checks each read, Content-Length first
        try:
            await request.receive_body()
        except PayloadTooLarge:
            return False
    return len(request.body or b"") <= limit  # also a body read already (a route not streamed)


def is_stale(incoming: Incoming, now: float) -> bool:
    """Older than the de-duplication memory: a replay of a captured signed request (or a retry
    after an outage) could not be told from a first delivery, so it is not handled at all."""
    return incoming.sent_at is not None and now - incoming.sent_at > DELIVERY_TTL_S


@dataclass(frozen=True)
class Delivery:
    """What one webhook request carried: messages, or an answer the platform expects at once."""

    messages: list[Incoming]
    answer: HTTPResponse | None = None


class MessagingInput(InputChannel, ABC):
    """A platform's webhook at /webhooks/<name>/webhook (see the module docstring)."""

    def __init__(self, settings: ChannelSettings | None, memory: ChannelMemory) -> None:
        self.settings = settings
        self.memory = memory
        self.api = PlatformApi(settings) if settings else None
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(channel_settings(cls.name(), os.environ), memory_from_env())

    # What each platform supplies -------------------------------------------------------------

    @abstractmethod
    def check_signature(self, request: Request) -> None:
        """Raise SignatureMissing / SignatureInvalid."""

    @abstractmethod
    def parse(self, request: Request, body: Any) -> Delivery:
        """The delivery in the (already verified) JSON `body`; raise BadPayload."""

    @abstractmethod
    def output(self, raise_on_failure: bool) -> MessagingOutput: ...

    def handshake(self, request: Request) -> HTTPResponse:
        """`GET /webhook`: Meta's subscription handshake; elsewhere nothing to see."""
        return response.json({"error": "not_found"}, status=404)

    def load(self, request: Request) -> Any:
        """The body as JSON (Slack's interactive payloads override this)."""
        return json.loads(request.body)

    async def acknowledge(self, incoming: Incoming) -> None:
        """Tell the platform a tap was seen (Telegram's callback queries)."""

    # Shared ----------------------------------------------------------------------------------

    def secret(self, variable: str) -> str:
        if self.settings is None:
            raise PlatformError("channel off")
        return self.settings.secret(variable)

    def platform(self) -> PlatformApi:
        if self.api is None:
            raise PlatformError("channel off")
        return self.api

    def get_output_channel(self) -> OutputChannel | None:
        """For Rasa's HTTP API with output_channel=latest (agents' replies): failures raise, so
        the desk learns a reply was not delivered."""
        return self.output(raise_on_failure=True) if self.settings else None

    async def data_for(self, payload: str, limit: int) -> str:
        """What a button carries: the payload, or a reference when the platform limits it."""
        if len(payload.encode("utf-8")) <= limit:
            return payload
        key = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        await self.memory.put(f"payload:{key}", payload)
        return f"{_REFERENCE}{key}"

    async def remember_options(self, conversation_id: str, payloads: list[str]) -> None:
        options = json.dumps(payloads)
        await self.memory.put(f"options:{conversation_id}", options, _OPTIONS_TTL_S)

    async def _resolve(self, incoming: Incoming, text: str) -> str:
        """A tapped button's payload, or a number picked from numbered choices, or the text."""
        if text.startswith(_REFERENCE):
            return await self.memory.get(f"payload:{text[len(_REFERENCE) :]}") or text
        options_key = f"options:{incoming.conversation_id}"
        stored = await self.memory.get(options_key)
        if not stored:
            return text
        await self.memory.put(options_key, "", 1)
        payloads = json.loads(stored)
        number = text.strip().rstrip(".")
        if number.isdigit() and 1 <= int(number) <= len(payloads):
            return str(payloads[int(number) - 1])
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"messaging_{self.name()}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "off"})

        @webhook.route("/webhook", methods=["GET"])
        async def handshake(request: Request) -> HTTPResponse:
            if not self.settings:
                return response.json({"error": "channel_off"}, status=404)
            return self.handshake(request)

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings:
                return response.json({"error": "channel_off"}, status=404)
            if not await receive_body_within(request, MAX_BODY_BYTES):
                logger.info("messaging.body_too_large", extra={"channel": self.name()})
                return response.json({"error": "body_too_large"}, status=413)
            refused = self._refusal(request)
            if refused is not None:
                return refused
            try:
                delivery = self.parse(request, self.load(request))
            except (BadPayload, ValueError, KeyError, TypeError, AttributeError, RecursionError):
                logger.info("messaging.bad_payload", extra={"channel": self.name()})
                return response.json({"error": "bad_payload"}, status=400)
            for incoming in delivery.messages:
                if is_stale(incoming, time.time()):
                    logger.warning("messaging.stale_delivery", extra={"channel": self.name()})
                    continue
                if not await self.memory.claim(f"delivery:{self.name()}:{incoming.delivery_id}"):
                    logger.info("messaging.duplicate", extra={"channel": self.name()})
                    continue
                self._start(self._handle(incoming, on_new_message))
            return delivery.answer or response.json({"ok": True})

        return webhook

    def _refusal(self, request: Request) -> HTTPResponse | None:
        try:
            self.check_signature(request)
        except SignatureError as error:
            logger.warning(
                "messaging.signature_refused",
                extra={"channel": self.name(), "status": error.status, "reason": str(error)},
            )
            return response.json({"error": "signature"}, status=error.status)
        return None

    def _start(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # keep a reference until done (asyncio holds tasks weakly)
        task.add_done_callback(self._tasks.discard)

    async def _handle(
        self, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        output = self.output(raise_on_failure=False)
        sender = incoming.conversation_id
        # The channel's own answers are in the user's language when the platform names it.
        metadata = {LOCALE_KEY: incoming.locale} if incoming.locale else {}
        try:
            await self.acknowledge(incoming)
            try:
                text = check_text(incoming.text)
            except IncomingMessageError as error:
                logger.info("messaging.refused", extra={"channel": self.name(), "code": error.code})
                reply = (
                    error.reply_in(metadata)
                    if isinstance(error, MessageTooLong)
                    else reply_text(NOT_TEXT_KEY, metadata)
                )
                await output.send_response(sender, {"text": reply})
                return
            text = await self._resolve(incoming, text)
            message = UserMessage(
                clean_incoming_text(text),
                output,
                sender,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)
        except (Exception, asyncio.CancelledError):  # the customer gets an answer, not silence
            logger.exception(
                "messaging.message_failed", extra={"channel": self.name(), "sender_id": sender}
            )
            try:
                await output.send_response(sender, {"text": reply_text(FAILURE_KEY, metadata)})
            except Exception:  # the platform is down too: logged above
                return
