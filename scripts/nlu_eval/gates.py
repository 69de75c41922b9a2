"""CI minimums per evaluation set (tests/nlu/gates.yml): a model below any of them fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput, MissingInput
from .metrics import SetScores

METRICS = ("in_scope_accuracy", "oos_rejection")


@dataclass(frozen=True)
class Gate:
    set_name: str
    metric: str
    minimum: float


@dataclass(frozen=True)
class Verdict:
    gate: Gate
    actual: float | None

    @property
    def passed(self) -> bool:
        return self.actual is not None and self.actual >= self.gate.minimum


def load_gates(path: Path) -> list[Gate]:
    """`{set name: {metric: minimum}}`, metrics from METRICS, minimums between 0 and 1."""
    from rasa.shared.utils.io import read_yaml_file

    if not path.is_file():
        raise MissingInput(f"gates file not found: {path}")
    raw = read_yaml_file(str(path))
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: expected a mapping of set name to minimums")
    gates = []
    for set_name, minimums in raw.items():
        if not isinstance(minimums, dict):
            raise InvalidInput(f"{path}: {set_name} needs a mapping of metric to minimum")
        for metric, minimum in minimums.items():
            if metric not in METRICS:
                raise InvalidInput(f"{path}: unknown metric {metric} (known: {METRICS})")
            if not isinstance(minimum, int | float) or not 0 <= minimum <= 1:
                raise InvalidInput(f"{path}: {set_name}.{metric} must be between 0 and 1")
            gates.append(Gate(str(set_name), str(metric), float(minimum)))
    return gates


def check(gates: list[Gate], scores: Mapping[str, SetScores]) -> list[Verdict]:
    """A gate on a set that was not evaluated, or a metric the set cannot give, fails."""
    verdicts = []
    for gate in gates:
        found = scores.get(gate.set_name)
        actual = getattr(found, gate.metric) if found is not None else None
        verdicts.append(Verdict(gate, actual))
    return verdicts


def check_runs(gates: list[Gate], runs: list[Mapping[str, SetScores]]) -> list[Verdict]:
    """Each gate against the lowest value over several trainings (every one must pass)."""
    verdicts = []
    for gate in gates:
        values = [v.actual for run in runs for v in check([gate], run)]
        known = [v for v in values if v is not None]
        lowest = min(known) if known and len(known) == len(values) else None
        verdicts.append(Verdict(gate, lowest))
    return verdicts
