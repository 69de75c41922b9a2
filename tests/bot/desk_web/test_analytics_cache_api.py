"""The analytics routes answer from the cache (bot/analytics/cache.py) on the seeded database:
the computing functions are counted (not timed), the cache's timer is the test's clock."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from bot.analytics.cache import AnalyticsCache
from bot.api.routes import desk_analytics
from tests.bot.desk_web.helpers import log_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi.testclient import TestClient

    from tests.bot.conftest import FakeClock

TTL = 300


class Calls:
    """Wraps a computing function of the routes and counts its calls; `before` runs first."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.count = 0
        self.before: Callable[[], None] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        if self.before is not None:
            self.before()
        return self.real(*args, **kwargs)


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> Calls:
    calls = Calls(getattr(desk_analytics, name))
    monkeypatch.setattr(desk_analytics, name, calls)
    return calls


@pytest.fixture
def cache(desk_client: TestClient, clock: FakeClock) -> AnalyticsCache[Any]:
    """The app's cache with the test's clock as its timer (the app's own uses time.monotonic)."""
    made: AnalyticsCache[Any] = AnalyticsCache(
        TTL, clock=clock, timer=lambda: clock().timestamp(), min_refresh_seconds=30
    )
    desk_client.app.state.analytics_cache = made  # type: ignore[attr-defined]
    return made


@pytest.fixture
def supervisor(desk_client: TestClient, cache: AnalyticsCache[Any]) -> TestClient:
    del cache
    log_in(desk_client, "sara")
    return desk_client


def get(client: TestClient, path: str) -> dict[str, Any]:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def test_the_second_request_within_the_ttl_does_not_recompute(
    supervisor: TestClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    practices = count_calls(monkeypatch, "practice_effects")
    path = "/desk/api/analytics/practices?horizon=90"

    computed_at = clock.now.isoformat()
    first = get(supervisor, path)
    clock.advance(seconds=TTL - 1)
    second = get(supervisor, path)

    assert practices.count == 1
    assert second == first
    assert first["computed_at"] == computed_at
    assert first["cache_seconds"] == TTL


def test_after_the_ttl_it_recomputes(
    supervisor: TestClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    uplift = count_calls(monkeypatch, "uplift_report")
    path = "/desk/api/analytics/uplift?horizon=90"

    first = get(supervisor, path)
    clock.advance(seconds=TTL + 1)
    second = get(supervisor, path)

    assert uplift.count == 2
    assert second["computed_at"] == clock.now.isoformat() != first["computed_at"]
    assert {**second, "computed_at": None} == {**first, "computed_at": None}  # same figures


def test_eight_concurrent_first_requests_compute_once(
    supervisor: TestClient, cache: AnalyticsCache[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = count_calls(monkeypatch, "build_report")
    key = ("report", 90)

    def all_eight_waiting() -> None:  # in the worker thread: hold on until every request waits
        deadline = time.monotonic() + 30
        while cache.waiting(key) < 8:
            assert time.monotonic() < deadline, f"only {cache.waiting(key)} requests waiting"
            time.sleep(0.01)

    report.before = all_eight_waiting
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: supervisor.get("/desk/api/analytics/report?horizon=90"), range(8))
        )

    assert [answer.status_code for answer in answers] == [200] * 8
    assert report.count == 1
    assert len({answer.text for answer in answers}) == 1


def test_horizons_30_and_90_are_cached_separately(
    supervisor: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = count_calls(monkeypatch, "build_report")

    horizons = [
        get(supervisor, f"/desk/api/analytics/report?horizon={h}")["horizon_days"]
        for h in (30, 90, 30, 90)
    ]

    assert horizons == [30, 90, 30, 90]
    assert report.count == 2


def test_the_csv_shares_the_experiments_computation(
    supervisor: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    histories = count_calls(monkeypatch, "load_histories")

    effects = get(supervisor, "/desk/api/analytics/experiments?horizon=180")
    answer = supervisor.get("/desk/api/analytics/experiments.csv?horizon=180")

    assert answer.status_code == 200
    assert answer.headers["x-computed-at"] == effects["computed_at"]
    assert histories.count == 1


def test_refresh_recomputes_at_most_every_half_minute(
    supervisor: TestClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = count_calls(monkeypatch, "build_report")
    path = "/desk/api/analytics/report/refresh?horizon=90"

    kept = get(supervisor, "/desk/api/analytics/report?horizon=90")
    clock.advance(seconds=10)
    too_soon = supervisor.post(path)
    clock.advance(seconds=21)
    refreshed = supervisor.post(path)
    after = get(supervisor, "/desk/api/analytics/report?horizon=90")

    assert too_soon.status_code == refreshed.status_code == 200
    assert too_soon.json() == kept
    assert refreshed.json()["computed_at"] == clock.now.isoformat() != kept["computed_at"]
    assert refreshed.json()["generated_at"] == refreshed.json()["computed_at"]
    assert after == refreshed.json()
    assert report.count == 2


def test_refresh_needs_the_csrf_header_and_a_supervisor(desk_client: TestClient) -> None:
    path = "/desk/api/analytics/report/refresh?horizon=90"
    assert desk_client.post(path).status_code == 401
    log_in(desk_client, "maria")  # an agent
    answer = desk_client.post(path)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    log_in(desk_client, "sara")
    del desk_client.headers["X-CSRF-Token"]
    answer = desk_client.post(path)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf"


def test_the_app_makes_its_cache_from_the_setting(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    state = desk_client.app.state  # type: ignore[attr-defined]
    assert state.settings.analytics_cache_seconds == TTL  # the default
    get(desk_client, "/desk/api/analytics/practices?horizon=30")
    assert state.analytics_cache.ttl_seconds == TTL


def test_zero_turns_the_cache_off(desk_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    state = desk_client.app.state  # type: ignore[attr-defined]
    state.settings = state.settings.model_copy(update={"analytics_cache_seconds": 0})
    practices = count_calls(monkeypatch, "practice_effects")
    log_in(desk_client, "sara")

    answers = [get(desk_client, "/desk/api/analytics/practices?horizon=90") for _ in range(2)]

    assert practices.count == 2
    assert answers[0]["cache_seconds"] == 0
