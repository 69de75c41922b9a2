"""The lock rule for identity checks, as a pure function over failure times.

`max_attempts` failures inside a `window` lock the account number for `window`, counted from the
failure that completed the set. Failures that led to a lock do not count again after it ends,
and a success (the caller passes only failures after the last success) starts from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockState:
    locked_until: datetime | None
    attempts_left: int

    def is_locked(self) -> bool:
        return self.locked_until is not None


def lock_state(
    failures: Iterable[datetime], now: datetime, max_attempts: int, window: timedelta
) -> LockState:
    """Whether the account number is locked at `now`, and how many tries are left if not."""
    locked_until: datetime | None = None
    recent: list[datetime] = []
    for failure in sorted(failures):
        if locked_until is not None and failure < locked_until:
            continue  # answered `locked`; callers normally do not pass these
        recent = [earlier for earlier in recent if earlier > failure - window]
        recent.append(failure)
        if len(recent) >= max_attempts:
            locked_until, recent = failure + window, []
    if locked_until is not None and now < locked_until:
        return LockState(locked_until=locked_until, attempts_left=0)
    live = [failure for failure in recent if failure > now - window]
    return LockState(locked_until=None, attempts_left=max(0, max_attempts - len(live)))
