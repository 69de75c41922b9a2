"""Telegram (Bot API webhook): served at /webhooks/telegram/webhook.

Register it with `setWebhook` and a `secret_token`; Telegram sends that token back in
`X-Telegram-Bot-Api-Secret-Token` on every update. A conversation is one private chat
("telegram-<chat_id>"); groups and channels are ignored (account details are not for them).
Messages and inline-keyboard taps (`callback_query`, whose `data` is the button's payload) are
handled; `/start` is a greeting; the user's `language_code` goes into the metadata as `locale`.
Rasa's own telegram channel uses aiogram with a fixed API address and checks no secret token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sanic.request import Request

from addons.messaging.base import BadPayload, Delivery, Incoming, MessagingInput
from addons.messaging.output import ChannelHost, MessagingOutput, PlatformError
from addons.messaging.rendering import (
    TELEGRAM_CALLBACK_BYTES,
    Choice,
    Labels,
    telegram_messages,
)
from addons.messaging.signatures import check_telegram_secret

PREFIX: Final = "telegram-"
# Telegram clients send "/start" when a customer opens the bot: a greeting, not an intent name.
START_COMMAND: Final = "/start"
GREETING: Final = "hi"


def chat_of(conversation_id: str) -> str:
    if not conversation_id.startswith(PREFIX):
        raise PlatformError("not a Telegram conversation")
    return conversation_id[len(PREFIX) :]


class TelegramOutput(MessagingOutput):
    payload_limit = TELEGRAM_CALLBACK_BYTES

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def render(
        self, recipient_id: str, text: str, choices: Sequence[Choice], labels: Labels
    ) -> list[dict[str, Any]]:
        return telegram_messages(chat_of(recipient_id), text, choices)

    async def deliver(self, recipient_id: str, body: dict[str, Any]) -> None:
        await _call(self.channel, "sendMessage", body)


async def _call(channel: ChannelHost, method: str, body: dict[str, Any]) -> None:
    token = channel.secret("TELEGRAM_BOT_TOKEN")
    answer = await channel.platform().post(f"/bot{token}/{method}", body, {})
    if not isinstance(answer, dict) or answer.get("ok") is not True:
        raise PlatformError(f"{method} not ok")


class TelegramInput(MessagingInput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    def check_signature(self, request: Request) -> None:
        header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        check_telegram_secret(header, self.secret("TELEGRAM_SECRET_TOKEN"))

    def output(self, raise_on_failure: bool) -> MessagingOutput:
        return TelegramOutput(self, raise_on_failure)

    def parse(self, request: Request, body: Any) -> Delivery:
        update_id = body.get("update_id") if isinstance(body, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise BadPayload("no update_id")
        if isinstance(body.get("message"), dict):
            message = body["message"]
            if (message.get("chat") or {}).get("type") != "private":
                return Delivery([])  # groups and channels: account details are not for them
            text = message.get("text")
            incoming = _incoming(update_id, message["chat"], message.get("from"), text)
        elif isinstance(body.get("callback_query"), dict):
            query = body["callback_query"]
            chat = (query.get("message") or {}).get("chat") or {"id": query["from"]["id"]}
            if chat.get("type", "private") != "private":
                return Delivery([])
            incoming = _incoming(update_id, chat, query["from"], query.get("data"))
            incoming.extra["callback_query_id"] = str(query["id"])
        else:  # edited messages, channel posts, member updates...: nothing to answer
            return Delivery([])
        return Delivery([incoming])

    async def acknowledge(self, incoming: Incoming) -> None:
        query_id = incoming.extra.get("callback_query_id")
        if query_id:  # stops the button's spinner; a failure only leaves it spinning
            try:
                await _call(self, "answerCallbackQuery", {"callback_query_id": query_id})
            except PlatformError:
                return


def _incoming(update_id: int, chat: Any, sender: Any, text: Any) -> Incoming:
    chat_id = chat["id"]
    if not isinstance(chat_id, int | str) or isinstance(chat_id, bool):
        raise BadPayload("chat id")
    language = sender.get("language_code") if isinstance(sender, dict) else None
    return Incoming(
        delivery_id=str(update_id),
        conversation_id=f"{PREFIX}{chat_id}",
        text=_command_as_text(text) if isinstance(text, str) else None,
        locale=language if isinstance(language, str) and language else None,
    )


def _command_as_text(text: str) -> str:
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return GREETING if first.split("@")[0] == START_COMMAND else text
