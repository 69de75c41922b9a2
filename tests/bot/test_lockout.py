from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.billing.lockout import lock_state

T0 = datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def _at(*minutes: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in minutes]


def test_no_failures_leaves_all_attempts() -> None:
    state = lock_state([], T0, 3, WINDOW)
    assert state.attempts_left == 3
    assert not state.is_locked()


def test_three_failures_lock_for_the_window_from_the_third() -> None:
    state = lock_state(_at(0, 1, 14), T0 + timedelta(minutes=20), 3, WINDOW)
    assert state.locked_until == T0 + timedelta(minutes=29)
    assert state.attempts_left == 0


def test_lock_ends_and_old_failures_do_not_count_again() -> None:
    state = lock_state(_at(0, 1, 2), T0 + timedelta(minutes=17), 3, WINDOW)
    assert not state.is_locked()
    assert state.attempts_left == 3


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    state = lock_state(_at(0, 10, 16), T0 + timedelta(minutes=16), 3, WINDOW)
    assert not state.is_locked()
    assert state.attempts_left == 1


@given(st.lists(st.floats(min_value=0, max_value=120), max_size=10), st.floats(0, 150))
def test_invariants(minutes: list[float], now_minutes: float) -> None:
    failures = _at(*minutes)
    now = T0 + timedelta(minutes=now_minutes)
    state = lock_state(failures, now, 3, WINDOW)
    assert 0 <= state.attempts_left <= 3
    if state.locked_until is not None:
        assert state.attempts_left == 0
        assert now < state.locked_until <= max(failures) + WINDOW
    recent = [failure for failure in failures if now - WINDOW < failure <= now]
    if len(recent) >= 3 and len(recent) == len(failures):
        # Every failure inside the window: the third completed a set less than a window ago.
        # (With older failures, a lock may already have taken and ended, and failures made
        # while it held do not count again: see the test below.)
        assert state.is_locked()


def test_failures_made_while_locked_do_not_lock_again_when_it_ends() -> None:
    # Hypothesis found this against the old invariant: three failures lock until minute 15;
    # the three at minute 1 came while locked (callers answer `locked` and normally do not
    # record them), so at minute 15 the lock is over and they do not start a new one.
    state = lock_state(_at(0, 0, 0, 1, 1, 1), T0 + timedelta(minutes=15), 3, WINDOW)
    assert not state.is_locked()
    assert state.attempts_left == 3
