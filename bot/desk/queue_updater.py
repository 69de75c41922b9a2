"""The queue updater: a background task telling waiting customers where they are in the queue.

Every DESK_QUEUE_UPDATE_SECONDS (0: not started) one tick:
1. marks tickets nobody claimed within DESK_ABANDON_AFTER_MINUTES as abandoned, and resumes the
   bot in those conversations (so a customer who comes back is answered);
2. sends each waiting customer whose position or estimate changed a line through Rasa
   ("You're now number 2 in the queue; about 2 minutes.") and remembers what they were told.

With several back ends, `my_turn` (bot.desk.turns) lets one process tick per round.

A tick never raises: with Rasa down the customers not told yet are tried again on the next
tick (nothing is marked told that was not delivered); any other failure is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from bot.core.errors import RasaUnavailable
from bot.desk.handling import mark_abandoned
from bot.desk.lines import queue_line
from bot.desk.updates import QueueUpdate, mark_told, queue_updates_due

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from sqlalchemy.orm import Session, sessionmaker

    from bot.core.clock import Clock
    from bot.desk.config import DeskConfig
    from bot.desk.events import DeskEvents
    from bot.desk.rasa_client import RasaClient

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TickResult:
    told: int
    abandoned: int


@dataclass
class QueueUpdater:
    session_factory: sessionmaker[Session]
    rasa: RasaClient
    events: DeskEvents
    config: DeskConfig
    clock: Clock
    my_turn: Callable[[float], Awaitable[bool]] | None = None  # None: this process always ticks

    def _due(self) -> tuple[list[str], list[QueueUpdate]]:
        with self.session_factory() as db:
            left = mark_abandoned(db, self.clock(), self.config)
            return [t.conversation_id for t in left], queue_updates_due(
                db, self.clock(), self.config
            )

    def _told(self, update: QueueUpdate) -> None:
        with self.session_factory() as db:
            mark_told(db, update, self.clock())

    async def _resume(self, conversation_ids: list[str]) -> None:
        for conversation_id in conversation_ids:
            try:
                await self.rasa.resume(conversation_id)
            except RasaUnavailable:
                logger.warning(
                    "queue_updater.resume_failed", extra={"conversation_id": conversation_id}
                )

    async def tick(self) -> TickResult:
        """One round (see the module docstring)."""
        abandoned, due = await run_in_threadpool(self._due)
        if abandoned:
            self.events.publish("queue", {})
            await self._resume(abandoned)
        told = 0
        for update in due:
            try:
                await self.rasa.send_system_line(update.conversation_id, queue_line(update))
            except RasaUnavailable:
                logger.warning("queue_updater.rasa_unavailable", extra={"rows": len(due) - told})
                break  # the rest next tick
            await run_in_threadpool(self._told, update)
            told += 1
        return TickResult(told=told, abandoned=len(abandoned))

    async def run_forever(self, every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            try:
                if self.my_turn is not None and not await self.my_turn(every_seconds):
                    continue
                result = await self.tick()
            except Exception:  # a background task must outlive any single failure
                logger.exception("queue_updater.failed")
                continue
            if result.told or result.abandoned:
                logger.info("queue_updater.tick", extra={"rows": result.told})


@contextlib.asynccontextmanager
async def running(updater: QueueUpdater, every_seconds: float) -> AsyncIterator[None]:
    """Run the updater in the background for the duration of the block (0: not at all)."""
    if every_seconds <= 0:
        yield
        return
    task = asyncio.create_task(updater.run_forever(every_seconds), name="desk-queue-updater")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
