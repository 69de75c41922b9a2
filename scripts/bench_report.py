"""Figures of `make bench`, their targets, and the report (a table, report.md, report.json)."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: not measured in this run (the note says why)
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if self.value is None:
            return "SKIPPED"
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if ok else "FAIL"

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'>=' if self.higher_is_better else '<='} {self.target:g}"

    @property
    def value_text(self) -> str:
        if self.value is None:
            return "-"
        return f"{self.value:.2f}" if self.unit == "x" else f"{self.value:.1f}"


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def table(figures: list[Figure]) -> str:
    lines = [f"{'figure':<58} {'value':>9} {'unit':<7} {'target':>8}  verdict"]
    for figure in figures:
        lines.append(
            f"{figure.name:<58} {figure.value_text:>9} {figure.unit:<7} "
            f"{figure.target_text:>8}  {figure.verdict}"
        )
    return "\n".join(lines)


def markdown(figures: list[Figure], context: dict[str, object]) -> str:
    lines = [
        "# make bench",
        "",
        *(f"- {key}: {value}" for key, value in context.items()),
        "",
        "| figure | value | unit | target | verdict | note |",
        "|---|---|---|---|---|---|",
    ]
    for figure in figures:
        lines.append(
            f"| {figure.name} | {figure.value_text} | {figure.unit} | {figure.target_text} "
            f"| {figure.verdict} | {figure.note} |"
        )
    return "\n".join(lines) + "\n"


def write(out_dir: Path, figures: list[Figure], context: dict[str, object]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.md").write_text(markdown(figures, context))
    payload = {
        "context": context,
        "figures": [{**asdict(figure), "verdict": figure.verdict} for figure in figures],
    }
    (out_dir / "report.json").write_text(json.dumps(payload, indent=2) + "\n")


def failed(figures: list[Figure]) -> list[Figure]:
    return [figure for figure in figures if figure.verdict == "FAIL"]
