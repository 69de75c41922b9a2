"""Input channels that mask card numbers before a message enters Rasa.

A masked number never reaches NLU, the tracker store, the event broker or a log line. The channel
keeps the stock name, so the REST webhook stays at /webhooks/rest/webhook.

The REST channel also applies the input rule of addons/incoming.py before Rasa sees anything: a
body that is not a message is a 400 with a JSON error, a message over `MAX_MESSAGE_CHARS` gets a
short answer; it puts the client's address into the metadata (`client_address`) and answers with
an apology rather than silence when handling the message fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons.incoming import (
    FAILURE_KEY,
    MESSAGING_CHANNELS,
    BadRequest,
    IncomingMessageError,
    MessageTooLong,
    check_rest_body,
    client_address,
    reply_text,
    with_client_address,
)
from addons.redaction import mask_card_numbers

logger = logging.getLogger(__name__)

# Said when handling a message failed (a part of the product down): never a silent turn. In the
# language of the message's metadata (catalogue key FAILURE_KEY); this is the English text.
FAILURE_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."

# A message of only whitespace has no tokens, which the embedding features cannot represent; it is
# passed on as this text instead, which the bot answers like any message it does not understand.
BLANK_MESSAGE = "(blank message)"


def clean_incoming_text(text: str) -> str:
    """The message as NLU should see it: card numbers masked, blank made explicit."""
    if not text.strip():
        return BLANK_MESSAGE
    return mask_card_numbers(text)


class MaskingRestInput(RestInput):
    """Rasa's REST channel, with card numbers masked in every incoming message."""

    def _extract_message(self, req: Request) -> str | None:
        text = super()._extract_message(req)
        return None if text is None else clean_incoming_text(text)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            body: object = None
            try:
                body = _json_body(request)
                checked = check_rest_body(body)
            except MessageTooLong as refused:
                logger.info("rest.message.too_long", extra={"limit": refused.limit})
                reply = refused.reply_in(_body_metadata(body))
                return response.json([{"recipient_id": _sender(request), "text": reply}])
            except IncomingMessageError as error:
                logger.info("rest.message.refused", extra={"code": error.code})
                return response.json({"error": error.code, "detail": str(error)}, status=400)
            text = self._extract_message(request) or BLANK_MESSAGE  # checked: a string
            metadata = with_client_address(checked.metadata, _client_address(request))
            input_channel = self._extract_input_channel(request)
            if bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(
                        on_new_message, text, checked.sender, input_channel, metadata
                    ),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, checked.sender, input_channel=input_channel, metadata=metadata
            )
            try:
                await on_new_message(message)
            except (Exception, asyncio.CancelledError):  # any failure gets an answer
                # No message text in the log (Rasa's own handler would print it).
                logger.exception("rest.message.failed", extra={"sender_id": checked.sender})
                if not collector.messages:
                    failure = reply_text(FAILURE_KEY, checked.metadata)
                    collector.messages.append({"recipient_id": checked.sender, "text": failure})
            return response.json(collector.messages)

        return webhook

    def _extract_input_channel(self, req: Request) -> str:
        """The client's `input_channel`, unless it names a messaging channel (the agents' replies
        would go to that platform with this sender as the address)."""
        given = req.json.get("input_channel") if isinstance(req.json, dict) else None
        if not isinstance(given, str) or not given or given.lower() in MESSAGING_CHANNELS:
            return self.name()
        return given


def _body_metadata(body: object) -> dict[str, Any] | None:
    metadata = body.get("metadata") if isinstance(body, dict) else None
    return metadata if isinstance(metadata, dict) else None


def _json_body(request: Request) -> object:
    try:
        return request.load_json()
    except Exception as error:  # Sanic raises its own InvalidUsage
        raise BadRequest("body_not_json", "the body must be JSON") from error


def _sender(request: Request) -> str | None:
    body = request.json
    sender = body.get("sender") if isinstance(body, dict) else None
    return sender if isinstance(sender, str) else None


def _client_address(request: Request) -> str | None:
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    return client_address(request.ip or None, forwarded or None)
