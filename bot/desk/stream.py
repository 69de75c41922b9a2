"""The desk's live push: Server-Sent Events from `DeskEvents`, with a ping every 15 seconds.

    queue = events.subscribe()                      # before the response starts: nothing missed
    body = sse_events(events, queue, session_id, still_live)
    StreamingResponse(body, media_type="text/event-stream")

Each event is `event: <kind>` and `data: <json>`. The stream ends when the browser goes away
(Starlette cancels the body), when the session is logged out (a `session_ended` event naming
it, sent by the logout, ends it at once; other streams ignore it), when a ping finds the
session no longer live (expired), and after STREAM_SECONDS in any case: the browser's
EventSource reconnects by itself (`retry`) and the page reloads what it shows, and a server
that is shutting down (uvicorn waits for open responses to finish) is never held up for
longer than that. `still_live` also marks the agent as seen, so an open stream keeps the
agent counted as on duty.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any, Final

from pydantic_core import to_jsonable_python

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from bot.desk.events import DeskEvent, DeskEvents

logger = logging.getLogger(__name__)

PING_SECONDS: Final = 15.0
STREAM_SECONDS: Final = 60.0
SESSION_ENDED: Final = "session_ended"  # internal: ends the logged-out session's streams
RETRY_MILLISECONDS: Final = 1000


def sse(kind: str, data: Any) -> str:
    """One Server-Sent Event; the JSON is on one line, so one `data:` field holds it."""
    payload = json.dumps(to_jsonable_python(data), separators=(",", ":"))
    return f"event: {kind}\ndata: {payload}\n\n"


async def sse_events(
    events: DeskEvents,
    queue: asyncio.Queue[DeskEvent],
    session_id: int,
    still_live: Callable[[], Awaitable[bool]],
    ping_seconds: float = PING_SECONDS,
    max_seconds: float = STREAM_SECONDS,
) -> AsyncIterator[str]:
    """The stream's body (see the module docstring); always unsubscribes at the end."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_seconds
    next_ping = loop.time() + ping_seconds
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        while loop.time() < deadline:
            try:
                wait = min(next_ping, deadline) - loop.time()
                event = await asyncio.wait_for(queue.get(), timeout=max(wait, 0))
            except TimeoutError:
                if loop.time() >= deadline or not await still_live():
                    return
                next_ping = loop.time() + ping_seconds
                yield sse("ping", {})
                continue
            if event.kind == SESSION_ENDED:
                if event.data.get("session_id") == session_id:
                    return
                continue
            yield sse(event.kind, event.data)
    finally:
        events.unsubscribe(queue)
        logger.info("desk.stream_closed")
