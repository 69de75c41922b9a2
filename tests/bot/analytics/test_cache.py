"""The analytics cache (bot/analytics/cache.py) on its own: a fake timer and clock, counted
computations, concurrent requests as asyncio tasks; and its setting."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.analytics.cache import AnalyticsCache, Computed
from bot.settings import Settings

START = datetime(2026, 12, 6, 12, 4, tzinfo=UTC)


class Time:
    """The cache's timer (seconds) and the app's clock, moved together by the test."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def timer(self) -> float:
        return self.seconds

    def clock(self) -> datetime:
        return START + timedelta(seconds=self.seconds - 1000.0)

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


class Counted:
    """A computation that counts its calls and answers (call number, the `now` it was given);
    with `gate`, each call waits until the gate opens."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls = 0
        self.gate = gate

    def __call__(self, now: datetime) -> tuple[int, datetime]:
        if self.gate is not None:
            assert self.gate.wait(10), "the gate never opened"
        self.calls += 1
        return self.calls, now


def make_cache(
    time: Time, ttl: float = 300, *, maxsize: int = 64, min_refresh_seconds: float = 30
) -> AnalyticsCache[tuple[int, datetime]]:
    return AnalyticsCache(
        ttl,
        clock=time.clock,
        timer=time.timer,
        maxsize=maxsize,
        min_refresh_seconds=min_refresh_seconds,
    )


def test_a_second_request_within_the_ttl_does_not_recompute() -> None:
    time, compute = Time(), Counted()
    cache = make_cache(time)

    async def scenario() -> tuple[Computed[tuple[int, datetime]], ...]:
        first = await cache.get(("practices", 90), compute)
        time.advance(299)
        second = await cache.get(("practices", 90), compute)
        return first, second

    first, second = asyncio.run(scenario())

    assert compute.calls == 1
    assert second is first
    assert first.value == (1, START)
    assert first.computed_at == START


def test_after_the_ttl_it_recomputes() -> None:
    time, compute = Time(), Counted()
    cache = make_cache(time)

    async def scenario() -> Computed[tuple[int, datetime]]:
        await cache.get(("practices", 90), compute)
        time.advance(301)
        return await cache.get(("practices", 90), compute)

    again = asyncio.run(scenario())

    assert compute.calls == 2
    assert again.value == (2, START + timedelta(seconds=301))
    assert again.computed_at == START + timedelta(seconds=301)


def test_eight_concurrent_first_requests_compute_once() -> None:
    time, gate = Time(), threading.Event()
    compute = Counted(gate)
    cache = make_cache(time)
    key = ("uplift", 90)

    async def scenario() -> list[Computed[tuple[int, datetime]]]:
        requests = [asyncio.create_task(cache.get(key, compute)) for _ in range(8)]
        while cache.waiting(key) < 8:
            await asyncio.sleep(0.01)
        gate.set()
        return await asyncio.gather(*requests)

    answers = asyncio.run(scenario())

    assert compute.calls == 1
    assert {answer.value for answer in answers} == {(1, START)}
    assert cache.waiting(key) == 0


def test_each_horizon_is_a_key_of_its_own() -> None:
    time, compute = Time(), Counted()
    cache = make_cache(time)

    async def scenario() -> list[int]:
        keys = [("report", 30), ("report", 90), ("report", 30), ("report", 90), ("uplift", 30)]
        return [(await cache.get(key, compute)).value[0] for key in keys]

    assert asyncio.run(scenario()) == [1, 2, 1, 2, 3]
    assert compute.calls == 3


def test_refresh_recomputes_but_not_more_often_than_its_minimum() -> None:
    time, compute = Time(), Counted()
    cache = make_cache(time, min_refresh_seconds=30)
    key = ("report", 90)

    async def scenario() -> list[int]:
        seen = [(await cache.get(key, compute)).value[0]]
        time.advance(10)
        seen.append((await cache.refresh(key, compute)).value[0])  # too soon: the kept one
        time.advance(21)
        seen.append((await cache.refresh(key, compute)).value[0])  # 31 s old: computed anew
        seen.append((await cache.get(key, compute)).value[0])  # the refreshed one is kept
        return seen

    assert asyncio.run(scenario()) == [1, 1, 2, 2]
    assert compute.calls == 2


def test_concurrent_refreshes_compute_once_and_requests_meanwhile_get_the_kept_result() -> None:
    time, gate = Time(), threading.Event()
    compute = Counted()
    cache = make_cache(time, min_refresh_seconds=30)
    key = ("report", 90)

    async def scenario() -> tuple[list[int], int]:
        await cache.get(key, compute)
        time.advance(60)
        compute.gate = gate
        refreshes = [asyncio.create_task(cache.refresh(key, compute)) for _ in range(5)]
        while cache.waiting(key) < 5:
            await asyncio.sleep(0.01)
        during = (await cache.get(key, compute)).value[0]  # not held up by the refresh
        gate.set()
        return [(await refresh).value[0] for refresh in refreshes], during

    refreshed, during = asyncio.run(scenario())

    assert refreshed == [2] * 5
    assert during == 1
    assert compute.calls == 2


def test_zero_keeps_nothing_but_still_computes_once_for_concurrent_requests() -> None:
    time, gate = Time(), threading.Event()
    compute = Counted()
    cache = make_cache(time, ttl=0)
    key = ("practices", 90)

    async def scenario() -> list[int]:
        seen = [(await cache.get(key, compute)).value[0], (await cache.get(key, compute)).value[0]]
        compute.gate = gate
        requests = [asyncio.create_task(cache.get(key, compute)) for _ in range(3)]
        while cache.waiting(key) < 3:
            await asyncio.sleep(0.01)
        gate.set()
        seen += [(await request).value[0] for request in requests]
        return seen

    assert asyncio.run(scenario()) == [1, 2, 3, 3, 3]
    assert cache.cached(key) is None


def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    time, gate = Time(), threading.Event()
    cache = make_cache(time)
    key = ("uplift", 90)
    calls = []

    def failing(now: datetime) -> tuple[int, datetime]:
        calls.append(now)
        assert gate.wait(10)
        raise RuntimeError("the database went away")

    async def scenario() -> list[BaseException | Computed[tuple[int, datetime]]]:
        requests = [asyncio.create_task(cache.get(key, failing)) for _ in range(3)]
        while cache.waiting(key) < 3:
            await asyncio.sleep(0.01)
        gate.set()
        failures = await asyncio.gather(*requests, return_exceptions=True)
        return [*failures, await cache.get(key, Counted())]

    *failures, after = asyncio.run(scenario())

    assert len(calls) == 1
    assert all(isinstance(failure, RuntimeError) for failure in failures)
    assert isinstance(after, Computed)
    assert after.value[0] == 1  # computed anew, the failure was not kept


def test_a_request_that_goes_away_leaves_the_computation_on() -> None:
    time, gate = Time(), threading.Event()
    compute = Counted(gate)
    cache = make_cache(time)
    key = ("report", 180)

    async def scenario() -> Computed[tuple[int, datetime]]:
        request = asyncio.create_task(cache.get(key, compute))
        while cache.waiting(key) < 1:
            await asyncio.sleep(0.01)
        request.cancel()  # the client disconnected
        gate.set()
        while cache.cached(key) is None:
            await asyncio.sleep(0.01)
        return await cache.get(key, compute)

    assert asyncio.run(scenario()).value == (1, START)
    assert compute.calls == 1


def test_the_number_of_kept_results_is_bounded() -> None:
    time, compute = Time(), Counted()
    cache = make_cache(time, maxsize=2)

    async def scenario() -> None:
        for horizon in (30, 90, 180):
            await cache.get(("report", horizon), compute)

    asyncio.run(scenario())

    kept = [cache.cached(("report", horizon)) is not None for horizon in (30, 90, 180)]
    assert kept == [False, True, True]  # the least recently used went


def test_a_negative_ttl_is_refused() -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        AnalyticsCache(-1, clock=Time().clock)


def test_the_setting_defaults_to_five_minutes_and_zero_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ANALYTICS_CACHE_SECONDS", raising=False)
    assert Settings(_env_file=None).analytics_cache_seconds == 300  # type: ignore[call-arg]
    monkeypatch.setenv("ANALYTICS_CACHE_SECONDS", "0")
    assert Settings(_env_file=None).analytics_cache_seconds == 0  # type: ignore[call-arg]
    monkeypatch.setenv("ANALYTICS_CACHE_SECONDS", "-5")
    with pytest.raises(ValidationError, match="analytics_cache_seconds"):
        Settings(_env_file=None)  # type: ignore[call-arg]
