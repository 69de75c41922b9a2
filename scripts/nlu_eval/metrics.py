"""Scores of one set of predictions, computed with scikit-learn.

- in-scope accuracy: share of messages labelled with one of our intents that get exactly that
  intent (a fallback counts as wrong);
- out-of-scope rejection: share of messages labelled `out_of_scope` that end as `out_of_scope` or
  `nlu_fallback` (the recall of "rejected");
- per intent: precision, recall, F1, where `out_of_scope` and `nlu_fallback` answers count as one
  label, "rejected" (so the `out_of_scope` row describes rejection);
- confusions: the most frequent (label, answer) pairs that are wrong;
- a sweep: both figures at other fallback thresholds, recomputed from the classifier's ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    recall_score,
)

from .examples import OUT_OF_SCOPE, REJECTIONS
from .predictions import Prediction

SWEEP_THRESHOLDS = tuple(round(0.20 + 0.05 * i, 2) for i in range(13))  # 0.20 .. 0.80


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Confusion:
    gold: str
    predicted: str
    count: int


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    in_scope_accuracy: float
    oos_rejection: float | None


@dataclass(frozen=True)
class SetScores:
    messages: int
    in_scope: int
    out_of_scope: int
    in_scope_accuracy: float
    oos_rejection: float | None
    macro_f1: float
    per_intent: tuple[IntentScore, ...]
    confusions: tuple[Confusion, ...]
    sweep: tuple[SweepPoint, ...]


@dataclass(frozen=True)
class Spread:
    mean: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Spread | None:
        present = np.array([v for v in values if v is not None], dtype=float)
        if present.size == 0:
            return None
        return cls(float(present.mean()), float(present.min()), float(present.max()))


def _merged(label: str) -> str:
    return OUT_OF_SCOPE if label in REJECTIONS else label


def in_scope_accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g != OUT_OF_SCOPE]
    if not pairs:
        return 0.0
    return float(accuracy_score([g for g, _ in pairs], [p for _, p in pairs]))


def oos_rejection(gold: Sequence[str], predicted: Sequence[str]) -> float | None:
    is_oos = [g == OUT_OF_SCOPE for g in gold]
    if not any(is_oos):
        return None
    rejected = [p in REJECTIONS for p in predicted]
    return float(recall_score(is_oos, rejected))


def per_intent(gold: Sequence[str], predicted: Sequence[str]) -> tuple[IntentScore, ...]:
    y_true = [_merged(g) for g in gold]
    y_pred = [_merged(p) for p in predicted]
    labels = sorted(set(y_true))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return tuple(
        IntentScore(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    )


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    y_true = [_merged(g) for g in gold]
    y_pred = [_merged(p) for p in predicted]
    labels = sorted(set(y_true))
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))


def confusions(gold: Sequence[str], predicted: Sequence[str], top: int) -> tuple[Confusion, ...]:
    """Most frequent wrong answers; an out-of-scope message that was rejected is not one."""
    labels = sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(gold, predicted, labels=labels)
    cells = [
        Confusion(labels[i], labels[j], int(matrix[i, j]))
        for i, j in zip(*np.nonzero(matrix), strict=True)
        if i != j and not (labels[i] == OUT_OF_SCOPE and labels[j] in REJECTIONS)
    ]
    cells.sort(key=lambda c: (-c.count, c.gold, c.predicted))
    return tuple(cells[:top])


def sweep(
    predictions: Sequence[Prediction], thresholds: Sequence[float], ambiguity: float
) -> tuple[SweepPoint, ...]:
    gold = [p.gold for p in predictions]
    points = []
    for threshold in thresholds:
        answers = [p.at_threshold(threshold, ambiguity) for p in predictions]
        points.append(
            SweepPoint(threshold, in_scope_accuracy(gold, answers), oos_rejection(gold, answers))
        )
    return tuple(points)


def score(
    predictions: Sequence[Prediction],
    ambiguity: float,
    thresholds: Sequence[float] = SWEEP_THRESHOLDS,
    top_confusions: int = 10,
) -> SetScores:
    """All figures of one evaluated set; `ambiguity` is the pipeline's ambiguity_threshold."""
    gold = [p.gold for p in predictions]
    answers = [p.intent for p in predictions]
    in_scope = sum(1 for g in gold if g != OUT_OF_SCOPE)
    return SetScores(
        messages=len(gold),
        in_scope=in_scope,
        out_of_scope=len(gold) - in_scope,
        in_scope_accuracy=in_scope_accuracy(gold, answers),
        oos_rejection=oos_rejection(gold, answers),
        macro_f1=macro_f1(gold, answers),
        per_intent=per_intent(gold, answers),
        confusions=confusions(gold, answers, top_confusions),
        sweep=sweep(predictions, thresholds, ambiguity),
    )
