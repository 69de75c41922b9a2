"""Any experiment from a CSV file: per arm n, outcome rate and the difference from control.

The file is read once, as a stream (memory does not grow with its rows): only the count of
rows and of positive outcomes per (segment, arm) is kept. Outcomes are binary: 1/0, true/false
or yes/no (any case, surrounding spaces ignored); anything else, an empty cell included, is an
error that names the row.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.analytics.errors import EmptyArm, MissingColumn, NonBinaryOutcome, UnreadableFile
from bot.analytics.proportions import compare

if TYPE_CHECKING:
    from collections.abc import Iterator

POSITIVE = frozenset({"1", "true", "yes"})
NEGATIVE = frozenset({"0", "false", "no"})
MAX_FIELD_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class ArmResult:
    arm: str
    n: int
    rate: float
    difference: float | None  # None for the control arm itself, or when control has no rows
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "arm": self.arm,
            "n": self.n,
            "rate": self.rate,
            "difference": self.difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
        }


@dataclass(frozen=True, slots=True)
class SegmentResult:
    segment: str
    arms: list[ArmResult]

    def as_json(self) -> dict[str, Any]:
        return {"segment": self.segment, "arms": [arm.as_json() for arm in self.arms]}


@dataclass(frozen=True, slots=True)
class ExperimentResult:
    control: str
    arms: list[ArmResult]
    segments: list[SegmentResult]

    def as_json(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "arms": [arm.as_json() for arm in self.arms],
            "segments": [segment.as_json() for segment in self.segments],
        }


@dataclass(slots=True)
class _Counts:
    rows: Counter[tuple[str, str]]  # (segment, arm) -> rows
    positives: Counter[tuple[str, str]]  # (segment, arm) -> outcome 1


def _outcome(value: str | None, column: str, line: int) -> bool:
    text = (value or "").strip().lower()
    if text in POSITIVE:
        return True
    if text in NEGATIVE:
        return False
    shown = repr((value or "")[:40])
    raise NonBinaryOutcome(
        f"outcome column {column!r} must be 0/1, true/false or yes/no; line {line} has {shown}"
    )


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, row) for every data row, after checking the header."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise UnreadableFile(f"{path}: empty file, expected a CSV header row")
            yield 1, {name: name for name in reader.fieldnames}
            for row in reader:
                yield reader.line_num, row
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UnreadableFile(f"cannot read {path}: {reason}") from None


def _count(path: Path, arm: str, outcome: str, by: str | None) -> _Counts:
    rows = _rows(path)
    _, header = next(rows)
    for column in (arm, outcome, by):
        if column is not None and column not in header:
            names = ", ".join(repr(name) for name in header)
            raise MissingColumn(f"column {column!r} is not in {path} (columns: {names})")
    counts = _Counts(Counter(), Counter())
    for line, row in rows:
        arm_value = (row.get(arm) or "").strip()
        segment = (row.get(by) or "").strip() if by is not None else ""
        key = (segment, arm_value)
        counts.rows[key] += 1
        if _outcome(row.get(outcome), outcome, line):
            counts.positives[key] += 1
    return counts


def _arms(counts: _Counts, segment: str | None, control: str) -> list[ArmResult]:
    """Per arm of `segment` (None: every segment together), control first then by name."""
    rows: Counter[str] = Counter()
    positives: Counter[str] = Counter()
    for (seg, arm), n in counts.rows.items():
        if segment is None or seg == segment:
            rows[arm] += n
            positives[arm] += counts.positives[(seg, arm)]
    control_n, control_x = rows.get(control, 0), positives.get(control, 0)
    results = []
    for arm in sorted(rows, key=lambda name: (name != control, name)):
        n, x = rows[arm], positives[arm]
        if arm == control or control_n == 0:
            results.append(ArmResult(arm, n, x / n, None, None, None, None))
            continue
        result = compare(x, n, control_x, control_n)
        results.append(
            ArmResult(
                arm, n, x / n, result.difference, result.ci_low, result.ci_high, result.p_value
            )
        )
    return results


def analyse_file(
    path: Path, *, arm: str, control: str, outcome: str, by: str | None = None
) -> ExperimentResult:
    """Read `path` and compare every arm with `control`, overall and (with `by`) per segment.

    A segment without control rows lists its arms with no difference (nothing to compare)."""
    counts = _count(path, arm, outcome, by)
    if not counts.rows:
        raise EmptyArm(f"{path} has a header but no rows")
    if not any(arm_value == control for _, arm_value in counts.rows):
        arms = sorted({arm_value for _, arm_value in counts.rows})
        shown = ", ".join(repr(name) for name in arms[:20])
        raise EmptyArm(f"control {control!r} has no rows in column {arm!r} (arms: {shown})")
    segments = []
    if by is not None:
        for segment in sorted({seg for seg, _ in counts.rows}):
            segments.append(SegmentResult(segment, _arms(counts, segment, control)))
    return ExperimentResult(control, _arms(counts, None, control), segments)
