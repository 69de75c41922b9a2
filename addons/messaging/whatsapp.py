"""WhatsApp Business Cloud API: served at /webhooks/whatsapp/webhook.

Meta's webhook scheme (addons/messaging/meta.py) with WHATSAPP_APP_SECRET and
WHATSAPP_VERIFY_TOKEN; replies go to `POST {WHATSAPP_API_URL}/{phone_number_id}/messages` with
WHATSAPP_ACCESS_TOKEN. A conversation is one customer's chat with one business number
("whatsapp-<phone_number_id>-<wa_id>"), so an agent's reply finds its way without any lookup.
Text messages, reply-button and list taps (their id is the payload) are handled; status updates
are not messages. Rasa has no WhatsApp channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sanic.request import Request

from addons.messaging.base import BadPayload, Delivery, Incoming
from addons.messaging.meta import MetaWebhookInput
from addons.messaging.output import MessagingOutput, PlatformError
from addons.messaging.rendering import (
    WHATSAPP_ROW_ID,
    Choice,
    Labels,
    whatsapp_layout,
    whatsapp_messages,
)

PREFIX: Final = "whatsapp-"


def address_of(conversation_id: str) -> tuple[str, str]:
    """(business phone number id, customer's wa_id) of a conversation."""
    parts = conversation_id.split("-")
    if len(parts) != 3 or parts[0] + "-" != PREFIX or not all(parts[1:]):
        raise PlatformError("not a WhatsApp conversation")
    return parts[1], parts[2]


class WhatsAppOutput(MessagingOutput):
    payload_limit = WHATSAPP_ROW_ID

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def render(
        self, recipient_id: str, text: str, choices: Sequence[Choice], labels: Labels
    ) -> list[dict[str, Any]]:
        return whatsapp_messages(address_of(recipient_id)[1], text, choices, labels)

    def numbers_choices(self, choices: Sequence[Choice]) -> bool:
        return whatsapp_layout(choices) == "numbered"

    async def deliver(self, recipient_id: str, body: dict[str, Any]) -> None:
        phone_number_id = address_of(recipient_id)[0]
        token = self.channel.secret("WHATSAPP_ACCESS_TOKEN")
        answer = await self.channel.platform().post(
            f"/{phone_number_id}/messages", body, {"Authorization": f"Bearer {token}"}
        )
        if not isinstance(answer, dict) or not answer.get("messages"):
            raise PlatformError("no message id in the answer")


class WhatsAppInput(MetaWebhookInput):
    app_secret_variable = "WHATSAPP_APP_SECRET"  # noqa: S105 - a name
    verify_token_variable = "WHATSAPP_VERIFY_TOKEN"  # noqa: S105 - a name

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def output(self, raise_on_failure: bool) -> MessagingOutput:
        return WhatsAppOutput(self, raise_on_failure)

    def parse(self, request: Request, body: Any) -> Delivery:
        if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
            raise BadPayload("not a WhatsApp Business Account notification")
        messages = []
        for entry in body.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                phone_number_id = str(value.get("metadata", {}).get("phone_number_id") or "")
                for message in value.get("messages") or []:
                    messages.append(_incoming(phone_number_id, message))
        return Delivery(messages)


def _incoming(phone_number_id: str, message: dict[str, Any]) -> Incoming:
    wa_id, message_id = message.get("from"), message.get("id")
    if not phone_number_id or not isinstance(wa_id, str) or not isinstance(message_id, str):
        raise BadPayload("message without sender or id")
    if "-" in phone_number_id or "-" in wa_id or not wa_id:
        raise BadPayload("odd sender")
    return Incoming(
        message_id,
        f"{PREFIX}{phone_number_id}-{wa_id}",
        _text_of(message),
        sent_at=_seconds(message.get("timestamp")),
    )


def _seconds(timestamp: object) -> float | None:
    """WhatsApp's `timestamp` (seconds since the epoch, as a string)."""
    try:
        return float(str(timestamp)) if timestamp is not None else None
    except ValueError:
        return None


def _text_of(message: dict[str, Any]) -> str | None:
    kind = message.get("type")
    if kind == "text":
        body = (message.get("text") or {}).get("body")
        return body if isinstance(body, str) else None
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        chosen = reply.get("id")
        return chosen if isinstance(chosen, str) else None
    if kind == "button":  # a template's quick-reply button
        payload = (message.get("button") or {}).get("payload")
        return payload if isinstance(payload, str) else None
    return None  # images, voice notes, locations...: not text
