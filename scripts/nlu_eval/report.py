"""The report: one summary table (printed and in Markdown), details in report.md and report.json."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .evaluation import CrossValidation, SeedRun
from .gates import Verdict
from .metrics import SetScores, Spread
from .timings import Timing

SET_TITLES = {
    "holdout": "own holdout",
    "dev": "third-party dev set",
    "cv": "cross-validation (pooled folds)",
    "holdout_sl": "Slovenian holdout",
    "cv_en": "cross-validation, English examples",
    "cv_sl": "cross-validation, Slovenian examples",
}
CONFUSIONS_PRINTED = 5

DEFINITIONS = """\
- **in-scope accuracy**: share of messages labelled with one of our intents that get exactly
  that intent from the whole pipeline (a fallback counts as wrong).
- **OOS rejection**: share of messages labelled `out_of_scope` answered `out_of_scope` or
  `nlu_fallback`.
- **macro F1**: unweighted mean over intents of F1; per intent, precision is the share of the
  messages given that intent that carry it, recall the share of its messages that get it;
  `out_of_scope` and `nlu_fallback` answers count as one label (its row describes rejection).
- **seeds**: the same config trained with different `random_seed`s on all training data; the first
  seed is the configured one and gives the detailed figures. Mean [min, max] over the trainings.
- **cross-validation**: stratified k folds of data/nlu; each fold's model is trained on the other
  folds and predicts the held-out one; figures over all folds pooled, spread over folds.
- **cross-validation per language** (cv_en, cv_sl): the same folds and predictions, scored apart
  for the examples of each language (Slovenian: data/nlu/sl/; English: the rest of data/nlu).
- **sweep**: both figures at other FallbackClassifier thresholds (same ambiguity threshold),
  recomputed from the classifier's ranking without retraining."""


@dataclass(frozen=True)
class Report:
    config: str
    config_hash: str
    fallback_threshold: float | None
    ambiguity_threshold: float
    set_files: dict[str, str]
    seed_runs: list[SeedRun]
    cross_validation: CrossValidation | None
    verdicts: list[Verdict]
    timings: list[Timing]
    total_seconds: float
    language_cross_validations: dict[str, CrossValidation] = dataclasses.field(default_factory=dict)

    @property
    def detailed(self) -> dict[str, SetScores]:
        """The first training's scores per set, and the pooled cross-validation."""
        scores = dict(self.seed_runs[0].scores) if self.seed_runs else {}
        if self.cross_validation is not None:
            scores["cv"] = self.cross_validation.pooled
        scores |= {name: cv.pooled for name, cv in self.language_cross_validations.items()}
        return scores

    def spread(self, set_name: str, metric: str) -> Spread | None:
        cv = self.language_cross_validations.get(set_name)
        if set_name == "cv":
            cv = self.cross_validation
        if cv is not None:
            return cv.fold_accuracy if metric == "in_scope_accuracy" else cv.fold_oos_rejection
        if len(self.seed_runs) < 2:
            return None
        return Spread.of(getattr(run.scores[set_name], metric) for run in self.seed_runs)

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _spread(spread: Spread | None) -> str:
    return "-" if spread is None else f"{spread.mean:.3f} [{spread.min:.3f}, {spread.max:.3f}]"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with aligned columns, readable printed as well."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in lines
    )


def summary(report: Report) -> str:
    header = [
        "set",
        "in scope / OOS",
        "in-scope acc",
        "OOS rejection",
        "macro F1",
        "acc: mean [min, max]",
        "OOS rej.: mean [min, max]",
    ]
    rows = [
        [
            SET_TITLES.get(name, name),
            f"{s.in_scope} / {s.out_of_scope}",
            _num(s.in_scope_accuracy),
            _num(s.oos_rejection),
            _num(s.macro_f1),
            _spread(report.spread(name, "in_scope_accuracy")),
            _spread(report.spread(name, "oos_rejection")),
        ]
        for name, s in report.detailed.items()
    ]
    note = (
        f"mean [min, max]: over {len(report.seed_runs)} trainings with different seeds"
        + (", over folds for cross-validation" if report.cross_validation else "")
        if len(report.seed_runs) > 1 or report.cross_validation
        else "one model: no spread"
    )
    return table(header, rows) + f"\n\n{note}"


def seeds_table(report: Report) -> str:
    names = list(report.seed_runs[0].scores) if report.seed_runs else []
    header = ["seed"] + [f"{n} {m}" for n in names for m in ("acc", "OOS rej.")]
    rows = [
        [str(run.seed)]
        + [
            _num(v)
            for n in names
            for v in (run.scores[n].in_scope_accuracy, run.scores[n].oos_rejection)
        ]
        for run in report.seed_runs
    ]
    return table(header, rows)


def gates_table(verdicts: Sequence[Verdict]) -> str:
    rows = [
        [
            v.gate.set_name,
            v.gate.metric,
            f"{v.gate.minimum:.3f}",
            _num(v.actual),
            "pass" if v.passed else "FAIL",
        ]
        for v in verdicts
    ]
    return table(["set", "metric", "minimum", "measured (lowest)", "result"], rows)


def sweep_table(report: Report) -> str:
    detailed = report.detailed
    names = list(detailed)
    thresholds = [p.threshold for p in next(iter(detailed.values())).sweep] if detailed else []
    rows = []
    for i, threshold in enumerate(thresholds):
        mark = " (configured)" if threshold == report.fallback_threshold else ""
        cells = [f"{threshold:.2f}{mark}"]
        for name in names:
            point = detailed[name].sweep[i]
            cells.append(f"{_num(point.in_scope_accuracy)} / {_num(point.oos_rejection)}")
        rows.append(cells)
    return table(["threshold", *[f"{n}: acc / OOS rej." for n in names]], rows)


def confusions_line(scores: SetScores, top: int) -> str:
    pairs = scores.confusions[:top]
    return ", ".join(f"{c.gold} -> {c.predicted} ({c.count})" for c in pairs) or "none"


def per_intent_table(scores: SetScores) -> str:
    rows = [
        [i.intent, _num(i.precision), _num(i.recall), _num(i.f1), str(i.support)]
        for i in scores.per_intent
    ]
    return table(["intent", "precision", "recall", "F1", "support"], rows)


def timings_table(report: Report) -> str:
    rows = [[t.step, "cached" if t.cached else f"{t.seconds:.1f}"] for t in report.timings]
    rows.append(["total", f"{report.total_seconds:.1f}"])
    return table(["step", "seconds"], rows)


def console(report: Report) -> str:
    parts = [summary(report)]
    if len(report.seed_runs) > 1:
        parts.append(seeds_table(report))
    parts.append(sweep_table(report))
    for name, scores in report.detailed.items():
        top = confusions_line(scores, CONFUSIONS_PRINTED)
        parts.append(f"most frequent confusions, {SET_TITLES.get(name, name)}: {top}")
    if report.verdicts:
        parts.append(gates_table(report.verdicts))
    parts.append(f"total {report.total_seconds:.0f} s")
    return "\n\n".join(parts)


def markdown(report: Report) -> str:
    threshold = _num(report.fallback_threshold)
    files = ", ".join(f"{name}: `{path}`" for name, path in report.set_files.items())
    parts = [
        "# NLU evaluation",
        f"Config `{report.config}` (content hash {report.config_hash}; fallback threshold "
        f"{threshold}, ambiguity {report.ambiguity_threshold:.2f}). Sets: {files}.",
        summary(report),
        DEFINITIONS,
    ]
    if report.verdicts:
        parts += ["## CI gates (tests/nlu/gates.yml)", gates_table(report.verdicts)]
    if report.seed_runs:
        parts += ["## Trainings with different seeds", seeds_table(report)]
    parts += [
        "## Fallback-threshold sweep (in-scope accuracy / OOS rejection)",
        sweep_table(report),
    ]
    for name, scores in report.detailed.items():
        parts += [
            f"## {SET_TITLES.get(name, name)}: per intent",
            per_intent_table(scores),
            f"Most frequent confusions (label -> answer): {confusions_line(scores, 10)}",
        ]
    parts += ["## Timings", timings_table(report)]
    return "\n\n".join(parts) + "\n"


def to_json(report: Report) -> dict[str, Any]:
    raw = dataclasses.asdict(report)
    raw["passed"] = report.passed
    raw["verdicts"] = [{**dataclasses.asdict(v), "passed": v.passed} for v in report.verdicts]
    return raw


def write(report: Report, out_dir: Path, stem: str = "report") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / f"{stem}.md", out_dir / f"{stem}.json"
    md.write_text(markdown(report))
    js.write_text(json.dumps(to_json(report), indent=2))
    return [md, js]
