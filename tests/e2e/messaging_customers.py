"""Customers on the four messaging platforms, as the platforms deliver them to our webhooks.

Each builds the platform's documented webhook JSON, signs it the platform's way (computed here,
independently of addons/messaging/signatures.py), posts it to the running Rasa server and reads
the bot's answers from the fake platform server (tests/e2e/fake_platform.py).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import random
import time
import uuid
from abc import ABC, abstractmethod
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.e2e import fake_platform as fp
from tests.e2e.conftest import Stack

SETTLE_S = 1.5  # the bot's messages of one turn arrive within this of each other
_update_ids = itertools.count(random.randrange(10**6, 10**8))


def digits(count: int) -> str:
    return str(random.randrange(10 ** (count - 1), 10**count))


class Customer(ABC):
    channel: str  # the webhook's name
    platform: str  # the fake platform's part

    def __init__(self, stack: Stack) -> None:
        assert stack.platform is not None, "the stack fixture starts the fake platform"
        self.stack = stack
        self.fake = stack.platform

    @property
    def webhook(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/{self.channel}/webhook"

    @property
    @abstractmethod
    def recipient(self) -> str:
        """The address the bot's answers are sent to (a chat, a phone, a PSID, a channel)."""

    @property
    @abstractmethod
    def conversation_id(self) -> str: ...

    @abstractmethod
    def message(self, text: str) -> dict[str, Any]:
        """The platform's webhook JSON for a typed message."""

    @abstractmethod
    def tap(self, data: str) -> dict[str, Any]:
        """The platform's webhook JSON for a tapped button carrying `data`."""

    def non_text(self) -> dict[str, Any] | None:
        """The platform's webhook JSON for a message without text (a sticker, an image)."""
        return None

    @abstractmethod
    def signed(self, body: bytes) -> dict[str, str]:
        """The headers that prove `body` comes from the platform."""

    def post(
        self, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        body = json.dumps(payload).encode("utf-8")
        sent_headers = {"Content-Type": "application/json", **self.signed(body)}
        if headers is not None:
            sent_headers = {"Content-Type": "application/json", **headers}
        return httpx.post(self.webhook, content=body, headers=sent_headers, timeout=30)

    def answers(self) -> list[fp.Sent]:
        return self.fake.to(self.platform, self.recipient)

    def send(self, payload: dict[str, Any], expect: str = "") -> list[fp.Sent]:
        """Deliver `payload` and return the bot's messages of the turn (one containing `expect`)."""
        before = len(self.answers())
        response = self.post(payload)
        assert response.status_code == 200, response.text
        return self.collect(before, expect)

    def collect(self, before: int, expect: str = "") -> list[fp.Sent]:
        """The messages after the first `before`: at least one, one containing `expect`, and
        then nothing more for SETTLE_S."""
        new = self.fake.wait_for(
            self.platform,
            self.recipient,
            before,
            lambda sent: any(expect in s.text for s in sent),
        )
        return self.settle(before, len(new))

    def settle(self, before: int, seen: int) -> list[fp.Sent]:
        """Wait until no further message arrives for SETTLE_S."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < SETTLE_S:
            time.sleep(0.1)
            count = len(self.answers()) - before
            if count != seen:
                seen, quiet_since = count, time.monotonic()
        return self.answers()[before:]

    def say(self, text: str, expect: str = "") -> str:
        """The bot's texts in answer to `text`, joined."""
        return " ".join(s.text for s in self.send(self.message(text), expect))


class TelegramCustomer(Customer):
    channel, platform = "telegram", "telegram"

    def __init__(self, stack: Stack, language_code: str = "en") -> None:
        super().__init__(stack)
        self.user_id = int(digits(9))
        self.language_code = language_code

    @property
    def recipient(self) -> str:
        return str(self.user_id)

    @property
    def conversation_id(self) -> str:
        return f"telegram-{self.user_id}"

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": "Ana",
            "language_code": self.language_code,
        }

    def message(self, text: str) -> dict[str, Any]:
        update_id = next(_update_ids)
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id % 10**6,
                "from": self._user(),
                "chat": {"id": self.user_id, "first_name": "Ana", "type": "private"},
                "date": int(time.time()),
                "text": text,
            },
        }

    def non_text(self) -> dict[str, Any]:
        update = self.message("")
        del update["message"]["text"]
        update["message"]["sticker"] = {
            "file_id": "CAACAgIAAxkB",
            "file_unique_id": "AgAD",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return update

    def tap(self, data: str) -> dict[str, Any]:
        update_id = next(_update_ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": digits(17),
                "from": self._user(),
                "message": {
                    "message_id": update_id % 10**6,
                    "from": {"id": 1, "is_bot": True, "first_name": "Billing"},
                    "chat": {"id": self.user_id, "type": "private"},
                    "date": int(time.time()),
                    "text": "(the bot's message with the keyboard)",
                },
                "chat_instance": digits(18),
                "data": data,
            },
        }

    def signed(self, body: bytes) -> dict[str, str]:
        return {"X-Telegram-Bot-Api-Secret-Token": fp.TELEGRAM_SECRET}


class MetaCustomer(Customer, ABC):
    app_secret: str

    def signed(self, body: bytes) -> dict[str, str]:
        digest = hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        return {"X-Hub-Signature-256": f"sha256={digest}"}


class WhatsAppCustomer(MetaCustomer):
    channel, platform, app_secret = "whatsapp", "whatsapp", fp.WHATSAPP_SECRET
    phone_number_id = "106540352242922"

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        self.wa_id = "386" + digits(8)

    @property
    def recipient(self) -> str:
        return self.wa_id

    @property
    def conversation_id(self) -> str:
        return f"whatsapp-{self.phone_number_id}-{self.wa_id}"

    def _notification(self, message: dict[str, Any]) -> dict[str, Any]:
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "15550783881",
                "phone_number_id": self.phone_number_id,
            },
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": self.wa_id}],
            "messages": [
                {
                    "from": self.wa_id,
                    "id": f"wamid.{uuid.uuid4().hex}",
                    "timestamp": str(int(time.time())),
                    **message,
                }
            ],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}
            ],
        }

    def message(self, text: str) -> dict[str, Any]:
        return self._notification({"type": "text", "text": {"body": text}})

    def non_text(self) -> dict[str, Any]:
        image = {"mime_type": "image/jpeg", "sha256": "a" * 64, "id": digits(15)}
        return self._notification({"type": "image", "image": image})

    def tap(self, data: str) -> dict[str, Any]:
        reply = {"type": "button_reply", "button_reply": {"id": data, "title": "(its title)"}}
        return self._notification({"type": "interactive", "interactive": reply})


class MessengerCustomer(MetaCustomer):
    channel, platform, app_secret = "facebook", "messenger", fp.MESSENGER_SECRET
    page_id = "109876543210987"

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        self.psid = digits(16)

    @property
    def recipient(self) -> str:
        return self.psid

    @property
    def conversation_id(self) -> str:
        return f"facebook-{self.psid}"

    def _event(self, message: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time() * 1000)
        event = {
            "sender": {"id": self.psid},
            "recipient": {"id": self.page_id},
            "timestamp": now,
            "message": {"mid": f"m_{uuid.uuid4().hex}", **message},
        }
        return {
            "object": "page",
            "entry": [{"id": self.page_id, "time": now, "messaging": [event]}],
        }

    def message(self, text: str) -> dict[str, Any]:
        return self._event({"text": text})

    def non_text(self) -> dict[str, Any]:
        image = {"type": "image", "payload": {"url": "https://scontent.example/photo.jpg"}}
        return self._event({"attachments": [image]})

    def tap(self, data: str) -> dict[str, Any]:
        return self._event({"text": "(its title)", "quick_reply": {"payload": data}})


class SlackCustomer(Customer):
    channel, platform = "slack", "slack"
    team = "T0E2ETEAM"

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        self.user = "U" + uuid.uuid4().hex[:10].upper()
        self.im = "D" + uuid.uuid4().hex[:10].upper()

    @property
    def recipient(self) -> str:
        return self.im

    @property
    def conversation_id(self) -> str:
        return f"slack-{self.im}-{self.user}"

    def message(self, text: str) -> dict[str, Any]:
        ts = f"{time.time():.6f}"
        return {
            "token": "verification-token-not-used",
            "team_id": self.team,
            "api_app_id": "A0E2EAPP",
            "event": {
                "type": "message",
                "channel": self.im,
                "user": self.user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "im",
            },
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
        }

    def tap(self, data: str) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "user": {"id": self.user, "username": "ana", "team_id": self.team},
            "api_app_id": "A0E2EAPP",
            "team": {"id": self.team, "domain": "e2e"},
            "container": {
                "type": "message",
                "message_ts": f"{time.time():.6f}",
                "channel_id": self.im,
                "is_ephemeral": False,
            },
            "channel": {"id": self.im, "name": "directmessage"},
            "trigger_id": f"{digits(10)}.{digits(10)}",
            "actions": [
                {
                    "action_id": "choice-0",
                    "block_id": "b1",
                    "type": "button",
                    "value": data,
                    "action_ts": f"{time.time():.6f}",
                    "text": {"type": "plain_text", "text": "(its title)"},
                }
            ],
        }

    def signed(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        base = b"v0:" + ts.encode() + b":" + body
        digest = hmac.new(fp.SLACK_SECRET.encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Signature": f"v0={digest}", "X-Slack-Request-Timestamp": ts}

    def post(
        self, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        if payload.get("type") != "block_actions":
            return super().post(payload, headers)
        # Interactivity arrives form-encoded: payload=<json>.
        body = urlencode({"payload": json.dumps(payload)}).encode()
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        signed = self.signed(body) if headers is None else headers
        return httpx.post(self.webhook, content=body, headers={**kind, **signed}, timeout=30)


CUSTOMERS: dict[str, type[Customer]] = {
    "telegram": TelegramCustomer,
    "whatsapp": WhatsAppCustomer,
    "facebook": MessengerCustomer,
    "slack": SlackCustomer,
}
