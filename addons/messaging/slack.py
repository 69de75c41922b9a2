"""Slack (Events API and interactivity): served at /webhooks/slack/webhook, which is both the
app's Event Subscriptions URL and its Interactivity Request URL.

Every request is signed (`X-Slack-Signature` v0 with `X-Slack-Request-Timestamp`, at most five
minutes old: addons/messaging/signatures.py); the Events API's `url_verification` challenge is
answered after that check. A conversation is one user in one channel
("slack-<channel>-<user>"). Only direct messages (`message` events in an `im`) are handled:
account details have no place in a shared channel. Bots' messages (the bot's own included) and
edits are not messages to answer.
Slack re-sends an event it thinks failed with `X-Slack-Retry-Num`; the same `event_id` is
handled once. A Block Kit button tap arrives as a form-encoded `block_actions` payload whose
`value` is the button's payload. Replies go to `{SLACK_API_URL}/chat.postMessage` with
SLACK_BOT_TOKEN. Rasa's slack channel uses slack_sdk with a fixed API address.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import parse_qs

from sanic import response
from sanic.request import Request

from addons.messaging.base import BadPayload, Delivery, Incoming, MessagingInput
from addons.messaging.output import MessagingOutput, PlatformError
from addons.messaging.rendering import SLACK_VALUE, Choice, Labels, slack_messages
from addons.messaging.signatures import check_slack_signature

PREFIX: Final = "slack-"


def channel_of(conversation_id: str) -> str:
    parts = conversation_id.split("-")
    if len(parts) != 3 or parts[0] + "-" != PREFIX or not all(parts[1:]):
        raise PlatformError("not a Slack conversation")
    return parts[1]


class SlackOutput(MessagingOutput):
    payload_limit = SLACK_VALUE

    @classmethod
    def name(cls) -> str:
        return "slack"

    def render(
        self, recipient_id: str, text: str, choices: Sequence[Choice], labels: Labels
    ) -> list[dict[str, Any]]:
        return slack_messages(channel_of(recipient_id), text, choices)

    async def deliver(self, recipient_id: str, body: dict[str, Any]) -> None:
        token = self.channel.secret("SLACK_BOT_TOKEN")
        answer = await self.channel.platform().post(
            "/chat.postMessage", body, {"Authorization": f"Bearer {token}"}
        )
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise PlatformError(f"chat.postMessage: {_error_of(answer)}")


def _error_of(answer: Any) -> str:
    error = answer.get("error") if isinstance(answer, dict) else None
    return error if isinstance(error, str) else "not ok"


class SlackInput(MessagingInput):
    @classmethod
    def name(cls) -> str:
        return "slack"

    def check_signature(self, request: Request) -> None:
        check_slack_signature(
            request.headers.get("X-Slack-Signature"),
            request.headers.get("X-Slack-Request-Timestamp"),
            request.body,
            self.secret("SLACK_SIGNING_SECRET"),
            time.time(),
        )

    def output(self, raise_on_failure: bool) -> MessagingOutput:
        return SlackOutput(self, raise_on_failure)

    def load(self, request: Request) -> Any:
        if (request.content_type or "").startswith("application/x-www-form-urlencoded"):
            form = parse_qs(request.body.decode("utf-8"))
            return json.loads(form["payload"][0])
        return json.loads(request.body)

    def parse(self, request: Request, body: Any) -> Delivery:
        if not isinstance(body, dict):
            raise BadPayload("not an object")
        kind = body.get("type")
        if kind == "url_verification":
            challenge = body.get("challenge")
            if not isinstance(challenge, str):
                raise BadPayload("no challenge")
            return Delivery([], response.json({"challenge": challenge}))
        if kind == "event_callback":
            return Delivery(_event_messages(body))
        if kind == "block_actions":
            return Delivery(_action_messages(body))
        return Delivery([])


def _event_messages(body: dict[str, Any]) -> list[Incoming]:
    event, event_id = body.get("event"), body.get("event_id")
    if not isinstance(event, dict) or not isinstance(event_id, str):
        raise BadPayload("event without id")
    if event.get("type") != "message" or event.get("channel_type") != "im":
        return []
    if event.get("subtype") or event.get("bot_id"):  # edits, joins, bots (ourselves included)
        return []
    channel, user, text = event.get("channel"), event.get("user"), event.get("text")
    if not _is_id(channel) or not _is_id(user):
        raise BadPayload("event without channel or user")
    shown = text if isinstance(text, str) else None
    return [Incoming(event_id, f"{PREFIX}{channel}-{user}", shown)]


def _action_messages(body: dict[str, Any]) -> list[Incoming]:
    user = (body.get("user") or {}).get("id")
    channel = (body.get("channel") or body.get("container") or {}).get("id") or (
        body.get("container") or {}
    ).get("channel_id")
    if not _is_id(channel) or not _is_id(user):
        raise BadPayload("action without channel or user")
    messages = []
    for action in body.get("actions") or []:
        value, action_ts = action.get("value"), action.get("action_ts")
        if action.get("type") != "button" or not isinstance(action_ts, str):
            continue
        text = value if isinstance(value, str) else None
        messages.append(Incoming(f"action:{user}:{action_ts}", f"{PREFIX}{channel}-{user}", text))
    return messages


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and "-" not in value
