"""A fake of the four messaging platforms' send APIs, on loopback, recording what the bot sends.

The bot's channels (addons/messaging/) are pointed at it with TELEGRAM_API_URL, WHATSAPP_API_URL,
MESSENGER_API_URL and SLACK_API_URL (see `channel_env`). It checks the credentials the way the
platform does and answers in each platform's documented response format:

- Telegram `POST /telegram/bot<token>/sendMessage` -> `{"ok": true, "result": <Message>}`,
  `answerCallbackQuery` -> `{"ok": true, "result": true}`; a wrong token -> 401
  `{"ok": false, "error_code": 401, "description": "Unauthorized"}`.
- WhatsApp `POST /whatsapp/<phone_number_id>/messages` (Bearer) -> `{"messaging_product":
  "whatsapp", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}`.
- Messenger `POST /messenger/me/messages` (Bearer) -> `{"recipient_id", "message_id"}`.
- Slack `POST /slack/chat.postMessage` (Bearer) -> `{"ok": true, "channel", "ts", "message"}`,
  a wrong token -> 200 `{"ok": false, "error": "invalid_auth"}`.

Standard library only; one thread per request.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TELEGRAM_TOKEN = "e2e-telegram-token-0123456789"
TELEGRAM_SECRET = "e2e-telegram-secret"
WHATSAPP_SECRET = "e2e-whatsapp-app-secret"
WHATSAPP_VERIFY = "e2e-whatsapp-verify"
WHATSAPP_ACCESS = "e2e-whatsapp-access-token"
MESSENGER_SECRET = "e2e-messenger-app-secret"
MESSENGER_VERIFY = "e2e-messenger-verify"
MESSENGER_ACCESS = "e2e-messenger-access-token"
SLACK_SECRET = "e2e-slack-signing-secret"
SLACK_TOKEN = "xoxb-e2e-slack-token"


@dataclass(frozen=True)
class Sent:
    """One request the bot made to a platform's API."""

    platform: str
    method: str  # sendMessage, messages, me/messages, chat.postMessage, answerCallbackQuery
    body: dict[str, Any]

    @property
    def recipient(self) -> str:
        """The chat, phone number, PSID or Slack channel the request is addressed to."""
        body = self.body
        if self.platform == "messenger":
            return str(body["recipient"]["id"])
        return str(body.get("chat_id") or body.get("to") or body.get("channel") or "")

    @property
    def text(self) -> str:
        """The text the customer reads (an interactive message's body included)."""
        body = self.body
        if self.platform == "whatsapp":
            if body.get("type") == "interactive":
                return str(body["interactive"]["body"]["text"])
            return str(body.get("text", {}).get("body", ""))
        if self.platform == "messenger":
            return str(body["message"].get("text", ""))
        return str(body.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(title, data) of the buttons the message carries, in the platform's own format."""
        body = self.body
        if self.platform == "telegram":
            rows = body.get("reply_markup", {}).get("inline_keyboard", [])
            return [(b["text"], b["callback_data"]) for row in rows for b in row]
        if self.platform == "whatsapp":
            if body.get("type") != "interactive":
                return []
            action = body["interactive"]["action"]
            if body["interactive"]["type"] == "button":
                return [(b["reply"]["title"], b["reply"]["id"]) for b in action["buttons"]]
            rows = [row for section in action["sections"] for row in section["rows"]]
            return [(row["title"], row["id"]) for row in rows]
        if self.platform == "messenger":
            return [(q["title"], q["payload"]) for q in body["message"].get("quick_replies", [])]
        elements = [
            e for b in body.get("blocks", []) if b["type"] == "actions" for e in b["elements"]
        ]
        return [(e["text"]["text"], e["value"]) for e in elements]


class FakePlatform:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        # Customers who blocked the bot (or left): the platform refuses messages to them.
        self.blocked: set[str] = set()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakePlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def record(self, sent: Sent) -> None:
        with self._lock:
            self.sent.append(sent)

    def to(self, platform: str, recipient: str) -> list[Sent]:
        """The messages sent to one conversation, in order (callback answers left out)."""
        with self._lock:
            return [
                s
                for s in self.sent
                if s.platform == platform
                and s.method != "answerCallbackQuery"
                and s.recipient == recipient
            ]

    def wait_for(
        self,
        platform: str,
        recipient: str,
        after: int,
        done: Callable[[list[Sent]], bool],
        timeout_s: float = 60,
    ) -> list[Sent]:
        """The messages after the first `after`, once `done` says they are complete."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            new = self.to(platform, recipient)[after:]
            if done(new):
                return new
            time.sleep(0.2)
        texts = [s.text for s in self.to(platform, recipient)[after:]]
        raise AssertionError(f"no complete answer on {platform} to {recipient}: {texts}")

    def env(self) -> dict[str, str]:
        return channel_env(self.url)


def channel_env(url: str) -> dict[str, str]:
    """The channels' settings for a stack that talks to the fake platform at `url`."""
    return {
        "TELEGRAM_API_URL": f"{url}/telegram",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "WHATSAPP_API_URL": f"{url}/whatsapp",
        "WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY,
        "WHATSAPP_ACCESS_TOKEN": WHATSAPP_ACCESS,
        "MESSENGER_API_URL": f"{url}/messenger",
        "MESSENGER_APP_SECRET": MESSENGER_SECRET,
        "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY,
        "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_ACCESS,
        "SLACK_API_URL": f"{url}/slack",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
    }


def _answer(
    platform: str, method: str, body: dict[str, Any], bearer: str | None
) -> tuple[int, Any]:
    """The platform's status and JSON answer to one API call."""
    if platform == "telegram":
        token, _, call = method.partition("/")
        if token != f"bot{TELEGRAM_TOKEN}":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if call == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}
        message = {
            "message_id": int(time.time() * 1000) % 10**9,
            "date": int(time.time()),
            "chat": {"id": body.get("chat_id"), "type": "private"},
            "text": body.get("text"),
        }
        return 200, {"ok": True, "result": message}
    if platform == "whatsapp":
        if bearer != WHATSAPP_ACCESS:
            return 401, {
                "error": {
                    "message": "Invalid OAuth access token.",
                    "type": "OAuthException",
                    "code": 190,
                }
            }
        to = body.get("to")
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}],
        }
    if platform == "messenger":
        if bearer != MESSENGER_ACCESS:
            return 401, {
                "error": {
                    "message": "Invalid OAuth access token.",
                    "type": "OAuthException",
                    "code": 190,
                }
            }
        return 200, {"recipient_id": body["recipient"]["id"], "message_id": f"m_{uuid.uuid4().hex}"}
    if platform == "slack":
        if bearer != SLACK_TOKEN:
            return 200, {"ok": False, "error": "invalid_auth"}
        ts = f"{time.time():.6f}"
        return 200, {
            "ok": True,
            "channel": body.get("channel"),
            "ts": ts,
            "message": {"type": "message", "text": body.get("text"), "ts": ts},
        }
    return 404, {"error": "unknown platform"}


_PLATFORMS = ("telegram", "whatsapp", "messenger", "slack")


def _blocked(platform: str) -> tuple[int, Any]:
    """Each platform's answer for a customer who blocked the bot or cannot be reached."""
    if platform == "telegram":
        return 403, {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        }
    if platform == "slack":
        return 200, {"ok": False, "error": "channel_not_found"}
    error = {
        "message": "(#551) This person isn't available right now.",
        "type": "OAuthException",
        "code": 551,
    }
    return 400, {"error": error}


def _handler(fake: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._reply(400, {"error": "not JSON"})
                return
            platform, _, method = self.path.lstrip("/").partition("/")
            auth = self.headers.get("Authorization") or ""
            bearer = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
            recipient = Sent(platform, method, body).recipient if platform in _PLATFORMS else ""
            if recipient and recipient in fake.blocked:
                status, answer = _blocked(platform)
            else:
                status, answer = _answer(platform, method, body, bearer)
            if status == 200 and answer.get("ok", True) is not False:
                call = method.rsplit("/", 1)[-1] if platform != "messenger" else method
                fake.record(Sent(platform, call, body))
            self._reply(status, answer)

        def _reply(self, status: int, answer: Any) -> None:
            data = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
