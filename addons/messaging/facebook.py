"""Facebook Messenger (a Page's webhook): served at /webhooks/facebook/webhook.

Meta's webhook scheme (addons/messaging/meta.py) with MESSENGER_APP_SECRET and
MESSENGER_VERIFY_TOKEN; replies go to `POST {MESSENGER_API_URL}/me/messages` with the Page access
token (MESSENGER_PAGE_ACCESS_TOKEN). A conversation is one page-scoped user ("facebook-<psid>").
Text messages, quick-reply taps and postbacks (their payload) are handled; the page's own echoes,
deliveries and reads are not messages. Rasa's facebook channel uses fbmessenger with a fixed
Graph API address.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sanic.request import Request

from addons.messaging.base import BadPayload, Delivery, Incoming
from addons.messaging.meta import MetaWebhookInput
from addons.messaging.output import MessagingOutput, PlatformError
from addons.messaging.rendering import (
    MESSENGER_MAX_QUICK_REPLIES,
    MESSENGER_PAYLOAD,
    Choice,
    Labels,
    messenger_messages,
)

PREFIX: Final = "facebook-"


def psid_of(conversation_id: str) -> str:
    if not conversation_id.startswith(PREFIX) or not conversation_id[len(PREFIX) :]:
        raise PlatformError("not a Messenger conversation")
    return conversation_id[len(PREFIX) :]


class MessengerOutput(MessagingOutput):
    payload_limit = MESSENGER_PAYLOAD

    @classmethod
    def name(cls) -> str:
        return "facebook"

    def render(
        self, recipient_id: str, text: str, choices: Sequence[Choice], labels: Labels
    ) -> list[dict[str, Any]]:
        return messenger_messages(psid_of(recipient_id), text, choices, labels)

    def numbers_choices(self, choices: Sequence[Choice]) -> bool:
        return len(choices) > MESSENGER_MAX_QUICK_REPLIES

    async def deliver(self, recipient_id: str, body: dict[str, Any]) -> None:
        token = self.channel.secret("MESSENGER_PAGE_ACCESS_TOKEN")
        answer = await self.channel.platform().post(
            "/me/messages", body, {"Authorization": f"Bearer {token}"}
        )
        if not isinstance(answer, dict) or not answer.get("message_id"):
            raise PlatformError("no message id in the answer")


class MessengerInput(MetaWebhookInput):
    app_secret_variable = "MESSENGER_APP_SECRET"  # noqa: S105 - a name
    verify_token_variable = "MESSENGER_VERIFY_TOKEN"  # noqa: S105 - a name

    @classmethod
    def name(cls) -> str:
        return "facebook"

    def output(self, raise_on_failure: bool) -> MessagingOutput:
        return MessengerOutput(self, raise_on_failure)

    def parse(self, request: Request, body: Any) -> Delivery:
        if not isinstance(body, dict) or body.get("object") != "page":
            raise BadPayload("not a Page notification")
        messages = []
        for entry in body.get("entry") or []:
            for event in entry.get("messaging") or []:
                incoming = _incoming(event)
                if incoming is not None:
                    messages.append(incoming)
        return Delivery(messages)


def _incoming(event: dict[str, Any]) -> Incoming | None:
    psid = (event.get("sender") or {}).get("id")
    message, postback = event.get("message"), event.get("postback")
    if isinstance(message, dict) and not message.get("is_echo"):
        quick_reply = (message.get("quick_reply") or {}).get("payload")
        text = quick_reply if isinstance(quick_reply, str) else message.get("text")
        delivery_id = message.get("mid")
    elif isinstance(postback, dict):
        text = postback.get("payload")
        delivery_id = postback.get("mid") or f"postback:{psid}:{event.get('timestamp')}"
    else:  # echoes, deliveries, reads, reactions: nothing to answer
        return None
    if not isinstance(psid, str | int) or not str(psid) or not isinstance(delivery_id, str):
        raise BadPayload("message without sender or id")
    timestamp = event.get("timestamp")  # milliseconds since the epoch
    sent_at = timestamp / 1000 if isinstance(timestamp, int | float) else None
    text = text if isinstance(text, str) else None
    return Incoming(delivery_id, f"{PREFIX}{psid}", text, sent_at=sent_at)
