"""How long each step took (training, parsing), printed as it happens and kept for the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timing:
    step: str
    seconds: float
    cached: bool = False


@dataclass
class Clock:
    echo: Callable[[str], None] = print
    timings: list[Timing] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def record(self, step: str, seconds: float, cached: bool = False) -> None:
        self.timings.append(Timing(step, seconds, cached))
        self.echo(f"  {step}: {'cached' if cached else f'{seconds:.1f} s'}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.record(name, time.perf_counter() - started)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
