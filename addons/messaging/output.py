"""Sending Rasa's messages to a platform: bot turns, and agents' replies from the desk.

`MessagingOutput` renders a message for the platform (addons/messaging/rendering.py) and sends the
bodies through `PlatformApi`; each platform's module says how to render and where to send. Button
payloads longer than the platform carries travel as references kept by the channel.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

import httpx
from rasa.core.channels.channel import OutputChannel

from addons.incoming import reply_text
from addons.messaging.rendering import Choice, Labels, buttons_of
from addons.messaging.settings import ChannelSettings

logger = logging.getLogger(__name__)


class PlatformError(Exception):
    """The platform's API refused a message or could not be reached."""


class ChannelHost(Protocol):
    """What an output needs of its input channel (addons/messaging/base.py)."""

    @classmethod
    def name(cls) -> str: ...

    def secret(self, variable: str) -> str: ...

    def platform(self) -> PlatformApi: ...

    async def data_for(self, payload: str, limit: int) -> str: ...

    async def remember_options(self, conversation_id: str, payloads: list[str]) -> None: ...


class PlatformApi:
    """A pooled HTTP client of one platform's API, created in the event loop that uses it."""

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings
        self._http: httpx.AsyncClient | None = None

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        """The JSON answer of a 2xx; anything else is a PlatformError (no retry: a repeated
        send would reach the customer twice)."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.settings.send_timeout_s)
        try:
            answer = await self._http.post(
                f"{self.settings.api_url}{path}", json=body, headers=headers
            )
            answer.raise_for_status()
            return answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise PlatformError(type(error).__name__) from error


def labels_for(message: dict[str, Any]) -> Labels:
    """The rendering's own words in the message's `language` (set on every bot message by the
    catalogue NLG and the actions' guard), English when it names none."""
    return Labels(
        choose=reply_text("channel.choose", message),
        numbered_hint=reply_text("channel.numbered_hint", message),
    )


class MessagingOutput(OutputChannel, ABC):
    """Sends Rasa's messages (bot turns and agents' replies) to one platform conversation."""

    payload_limit: ClassVar[int]  # bytes a button's payload may have on the platform

    def __init__(self, channel: ChannelHost, raise_on_failure: bool) -> None:
        self.channel = channel
        self.raise_on_failure = raise_on_failure

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    @abstractmethod
    def render(
        self, recipient_id: str, text: str, choices: Sequence[Choice], labels: Labels
    ) -> list[dict[str, Any]]:
        """The API request bodies for one message."""

    @abstractmethod
    async def deliver(self, recipient_id: str, body: dict[str, Any]) -> None:
        """Send one rendered body; raise PlatformError."""

    def numbers_choices(self, choices: Sequence[Choice]) -> bool:
        """True when `render` shows the choices as numbered lines instead of buttons."""
        return False

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = str(message.get("text") or "")
        if isinstance(message.get("image"), str):
            text = f"{text}\n{message['image']}".strip()
        pairs = buttons_of(message)
        choices = [
            Choice(title, await self.channel.data_for(payload, self.payload_limit))
            for title, payload in pairs
        ]
        if self.numbers_choices(choices):
            await self.channel.remember_options(recipient_id, [payload for _, payload in pairs])
        try:
            for body in self.render(recipient_id, text, choices, labels_for(message)):
                await self.deliver(recipient_id, body)
        except PlatformError as error:
            logger.warning(
                "messaging.send_failed",
                extra={
                    "channel": self.channel.name(),
                    "sender_id": recipient_id,
                    "error": str(error),
                },
            )
            if self.raise_on_failure:
                raise

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
