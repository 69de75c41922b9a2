"""Computed retention figures kept for a while, so the Retention page and the analytics API do not
recompute them on every request (at 100,000 customers practices take about 10 s, uplift 4 s).

    cache = AnalyticsCache(ttl_seconds=300, clock=utc_now)
    found = await cache.get(("practices", 90), compute)     # compute(now) -> the result
    found.value, found.computed_at
    found = await cache.refresh(("report", 90), compute)    # the Refresh button

* Keyed by what a result depends on: the kind of figures and every query parameter (horizon,
  offer and segment), e.g. `("report", 30)` and `("report", 90)` are two entries.
* A result is served for `ttl_seconds` (ANALYTICS_CACHE_SECONDS, default 300) after it was
  stored, then computed again on the next request. The bound is by age and by count
  (`maxsize`, least recently used first): cachetools' `TTLCache`, with an injectable timer
  (`time.monotonic` by default, so a change of the wall clock does not age results).
* Single flight: while a key is being computed, every other request for it waits for that
  computation (it does not start its own); a failure reaches each of them and is not stored.
  This holds with `ttl_seconds=0` too, which stores nothing: each request that finds no
  computation under way starts one, as before there was a cache.
* The computation runs in a worker thread (the event loop keeps serving), one at a time per
  process (`COMPUTE_THREADS`): on a 2-core machine two heavy computations side by side only
  slow each other and the rest of the back end. A request that goes away does not cancel a
  computation others may be waiting for; its result is stored all the same.
* `refresh` recomputes a key at once (the Retention page's Refresh button), unless a computation
  of it is under way (it joins that one) or the stored result is younger than
  `min_refresh_seconds` (it answers that one): pressing Refresh repeatedly cannot burn CPU.
* Staleness: a write that changes what the figures count (a new offer decision, an outcome, a
  survey answer, a credit...) does not invalidate anything; a result may lag the database by up
  to `ttl_seconds` (plus the time its computation took), or until a supervisor presses Refresh.
* Per process: each back-end process (the cluster profile runs two) keeps its own results, so
  two requests may be answered from computations made at different times; each answer says
  when its figures were computed (`computed_at`).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Generic, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from cachetools import TTLCache

from bot.core.clock import Clock

DEFAULT_MAXSIZE: Final = 64  # results kept at most (4 kinds x a few horizons, a few survivals)
DEFAULT_MIN_REFRESH_SECONDS: Final = 30.0  # Refresh answers a result younger than this
COMPUTE_THREADS: Final = 1  # computations running at once in one process

Key = tuple[Hashable, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Computed(Generic[T]):
    """A computed result, when it was computed (the app's clock, UTC) and at which timer value."""

    value: T
    computed_at: datetime
    started: float  # the cache's timer when the computation started


class AnalyticsCache(Generic[T]):
    """Results by key for `ttl_seconds` (0: none kept), computed once per key at a time."""

    def __init__(
        self,
        ttl_seconds: float,
        *,
        clock: Clock,
        timer: Callable[[], float] = time.monotonic,
        maxsize: int = DEFAULT_MAXSIZE,
        min_refresh_seconds: float = DEFAULT_MIN_REFRESH_SECONDS,
    ) -> None:
        if ttl_seconds < 0:
            raise ValueError("ttl_seconds must be 0 (off) or more")
        self.ttl_seconds = ttl_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self._clock = clock
        self._timer = timer
        self._results: TTLCache[Key, Computed[T]] | None = (
            TTLCache(maxsize=maxsize, ttl=ttl_seconds, timer=timer) if ttl_seconds > 0 else None
        )
        self._pending: dict[Key, asyncio.Task[Computed[T]]] = {}
        self._waiting: Counter[Key] = Counter()
        self._limiter = CapacityLimiter(COMPUTE_THREADS)

    def cached(self, key: Key) -> Computed[T] | None:
        """The stored result for `key`, if still fresh (None when off or expired)."""
        return None if self._results is None else self._results.get(key)

    def waiting(self, key: Key) -> int:
        """How many requests are waiting for the computation of `key` under way (0 if none)."""
        return self._waiting[key]

    async def get(self, key: Key, compute: Callable[[datetime], T]) -> Computed[T]:
        """The fresh stored result, or the one being computed, or a new computation's."""
        found = self.cached(key)
        if found is not None:
            return found
        return await self._join(key, compute)

    async def refresh(self, key: Key, compute: Callable[[datetime], T]) -> Computed[T]:
        """A new computation of `key`, unless one is under way (joined) or the stored result is
        younger than `min_refresh_seconds` (answered); other requests keep getting the stored
        result meanwhile."""
        found = self.cached(key)
        if (
            key not in self._pending
            and found is not None
            and self._timer() - found.started < self.min_refresh_seconds
        ):
            return found
        return await self._join(key, compute)

    async def _join(self, key: Key, compute: Callable[[datetime], T]) -> Computed[T]:
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._compute(key, compute))
            self._pending[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        self._waiting[key] += 1
        try:
            # shield: a waiter that goes away (client disconnected) leaves the computation on.
            return await asyncio.shield(task)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]

    def _finished(self, key: Key, task: asyncio.Task[Computed[T]]) -> None:
        if self._pending.get(key) is task:
            del self._pending[key]
        if not task.cancelled():
            task.exception()  # retrieved, so a failure nobody waits for any more is not logged

    def _run(self, compute: Callable[[datetime], T]) -> Computed[T]:
        # In the worker thread, once its turn has come: the figures are as of this moment.
        started, now = self._timer(), self._clock()
        return Computed(value=compute(now), computed_at=now, started=started)

    async def _compute(self, key: Key, compute: Callable[[datetime], T]) -> Computed[T]:
        found = await anyio.to_thread.run_sync(self._run, compute, limiter=self._limiter)
        if self._results is not None:
            self._results[key] = found
        return found
