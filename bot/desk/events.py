"""`DeskEvents`: a tiny in-process publish/subscribe hub feeding the desk's live stream (SSE).

    events = DeskEvents()                      # one per app: `app.state.desk_events`
    queue = events.subscribe()                 # in the SSE handler (inside the event loop)
    try:
        event = await queue.get()              # DeskEvent(kind="message", data={...})
    finally:
        events.unsubscribe(queue)

    events.publish("queue", {})                # from any thread (sync routes run in a pool)

Kinds: `queue` (the queue changed), `message` (`{"ticket_id", "message"}`), `ticket`
(`{"ticket_id", "status"}`). `publish` never blocks: each subscriber has a bounded queue and a
subscriber that does not keep up loses events (counted in `dropped`); the page reloads the
queue on the next `queue` event anyway. Events stay in this process unless a relay is attached
(`attach_relay`): with several back-end processes, `bot.desk.event_relay` passes each process's
events to the others through Redis, which `deliver` hands to this process's subscribers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

logger = logging.getLogger(__name__)
QUEUE_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class DeskEvent:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class Relay(Protocol):
    """Carries this process's events to the other back-end processes (never blocks)."""

    def send(self, event: DeskEvent) -> None: ...


class DeskEvents:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[asyncio.Queue[DeskEvent], asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()
        self._relay: Relay | None = None
        self.dropped = 0

    def attach_relay(self, relay: Relay | None) -> None:
        """From now on every published event also goes to `relay` (None: this process only)."""
        self._relay = relay

    def subscribe(self) -> asyncio.Queue[DeskEvent]:
        """A new queue receiving every event published from now on (call inside the loop)."""
        queue: asyncio.Queue[DeskEvent] = asyncio.Queue(maxsize=self._queue_size)
        with self._lock:
            self._subscribers[queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, queue: asyncio.Queue[DeskEvent]) -> None:
        with self._lock:
            self._subscribers.pop(queue, None)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any] | None = None) -> None:
        """Hand the event to every subscriber without waiting; full queues drop it."""
        event = DeskEvent(kind, dict(data or {}))
        self.deliver(event)
        relay = self._relay
        if relay is not None:
            relay.send(event)

    def deliver(self, event: DeskEvent) -> None:
        """Hand an event to this process's subscribers only (a relay's way in)."""
        with self._lock:
            targets = list(self._subscribers.items())
        for queue, loop in targets:
            if _in_loop(loop):
                self._offer(queue, event)
            elif not loop.is_closed():
                try:
                    loop.call_soon_threadsafe(self._offer, queue, event)
                except RuntimeError:  # the loop closed meanwhile: nobody is listening
                    self.unsubscribe(queue)

    def ticket_changed(self, ticket_id: int, status: str) -> None:
        """A ticket's status changed, so the queue did too."""
        self.publish("ticket", {"ticket_id": ticket_id, "status": status})
        self.publish("queue", {})

    def _offer(self, queue: asyncio.Queue[DeskEvent], event: DeskEvent) -> None:
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            logger.warning("desk_events.dropped", extra={"action": event.kind})


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
