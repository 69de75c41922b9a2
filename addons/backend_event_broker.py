"""An event broker that posts the conversation's messages to the billing back end over HTTP.

While a person owns a conversation (a handoff ticket is open), Rasa still stores every customer
message but runs no action; this broker is how those messages reach the agent desk at once. It
forwards `user` and `bot` events only, in batches, from a background task, so publishing never
blocks a conversation. Woken by an event, it waits `linger_seconds` (0.2 s) before posting,
so under load one POST carries the turns of several conversations instead of one each (a POST
per turn cost the Rasa process more than its tracker store, and the back end as much again);
the desk still sees a message within a fraction of a second. The tracker store already redacts
what it streams; the broker masks again (`privacy.masking`: everything in customer text, card
details in bot text), so a tracker store configured without redaction still sends the back end
no secret.

Nothing is lost while Rasa runs: a batch that the back end refuses with 5xx or cannot receive is
kept and sent again with backoff (the back end deduplicates on conversation, sender and timestamp).
The buffer is bounded (`max_buffered`); beyond it the oldest events are dropped and counted in a
warning. endpoints.yml:

    event_broker:
      type: addons.backend_event_broker.BackendEventBroker
      url: ${BACKEND_URL}
      token: ${BACKEND_SERVICE_TOKEN}
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any

import httpx
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from privacy.masking import mask, mask_card_details

logger = logging.getLogger(__name__)

FORWARDED_EVENTS = frozenset({"user", "bot"})
EVENTS_PATH = "/api/v1/conversation-events"
_FIELDS = ("sender_id", "event", "text", "timestamp", "input_channel")


def forwarded_fields(event: dict[str, Any]) -> dict[str, Any] | None:
    """The part of a tracker event the desk needs, or None for events it does not need."""
    if event.get("event") not in FORWARDED_EVENTS:
        return None
    fields = {field: event.get(field) for field in _FIELDS}
    if isinstance(fields["text"], str):
        masked = mask if event["event"] == "user" else mask_card_details
        fields["text"] = masked(fields["text"])
    return fields


class BackendEventBroker(EventBroker):
    """Posts user and bot events to the back end (see the module docstring)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        batch_size: int = 50,
        max_buffered: int = 10_000,
        timeout_seconds: float = 5.0,
        max_backoff_seconds: float = 30.0,
        linger_seconds: float = 0.2,
    ) -> None:
        self._url = url.rstrip("/") + EVENTS_PATH
        self._headers = {"Authorization": f"Bearer {token}"}
        self._batch_size = batch_size
        self._buffer: deque[dict[str, Any]] = deque()
        self._max_buffered = max_buffered
        self._timeout = timeout_seconds
        self._max_backoff = max_backoff_seconds
        self._linger = linger_seconds
        self._wakeup = asyncio.Event()
        self._dropped = 0
        self._closing = False
        self._sender: asyncio.Task[None] | None = None

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Any = None
    ) -> BackendEventBroker:
        if not broker_config.url or not broker_config.token:
            raise ValueError("the backend event broker needs `url` and `token` in endpoints.yml")
        options = {
            key: value
            for key, value in broker_config.kwargs.items()
            if key
            in {
                "batch_size",
                "max_buffered",
                "timeout_seconds",
                "max_backoff_seconds",
                "linger_seconds",
            }
        }
        return cls(broker_config.url, broker_config.token, **options)

    def publish(self, event: dict[str, Any]) -> None:
        fields = forwarded_fields(event)
        if fields is None:
            return
        if len(self._buffer) >= self._max_buffered:
            self._buffer.popleft()
            self._dropped += 1
            logger.warning("event_broker.buffer_full", extra={"dropped": self._dropped})
        self._buffer.append(fields)
        self._ensure_sender()
        self._wakeup.set()

    def _ensure_sender(self) -> None:
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send_forever())

    async def _send_forever(self) -> None:
        backoff = 0.5
        async with httpx.AsyncClient(timeout=self._timeout, headers=self._headers) as client:
            while not self._closing or self._buffer:
                if not self._buffer:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    if not self._closing:
                        await asyncio.sleep(self._linger)  # let more events join the batch
                    continue
                batch = [self._buffer[i] for i in range(min(self._batch_size, len(self._buffer)))]
                if await self._post(client, batch):
                    for _ in batch:
                        self._buffer.popleft()
                    backoff = 0.5
                    continue
                if self._closing:
                    return
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    async def _post(self, client: httpx.AsyncClient, batch: list[dict[str, Any]]) -> bool:
        """True when the back end took the batch (or refused it for good: 4xx, logged)."""
        try:
            response = await client.post(self._url, json={"events": batch})
        except httpx.HTTPError as error:
            logger.warning("event_broker.unreachable", extra={"error": type(error).__name__})
            return False
        if response.status_code >= 500:
            logger.warning("event_broker.backend_error", extra={"status": response.status_code})
            return False
        if response.status_code >= 400:
            logger.error("event_broker.refused", extra={"status": response.status_code})
        return True

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        """Send what is buffered (one attempt each) and stop."""
        self._closing = True
        self._wakeup.set()
        if self._sender is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._sender, timeout=self._timeout * 2)
