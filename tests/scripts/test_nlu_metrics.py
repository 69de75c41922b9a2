"""The NLU evaluation's figures on hand-checked predictions (scripts/nlu_eval/metrics.py)."""

from __future__ import annotations

import pytest

from scripts.nlu_eval.metrics import Spread, score
from scripts.nlu_eval.predictions import Prediction


def p(gold: str, intent: str, *ranking: tuple[str, float]) -> Prediction:
    return Prediction(gold, intent, tuple(ranking) or ((intent, 0.9),))


# 4 in scope (2 right, 1 confused, 1 fallback), 3 out of scope (2 rejected two ways, 1 taken).
PREDICTIONS = [
    p("ask_balance", "ask_balance", ("ask_balance", 0.9), ("greet", 0.05)),
    p("ask_balance", "greet", ("greet", 0.6), ("ask_balance", 0.3)),
    p("greet", "greet", ("greet", 0.45), ("ask_balance", 0.2)),
    p("greet", "nlu_fallback", ("greet", 0.35), ("ask_balance", 0.3)),
    p("out_of_scope", "out_of_scope", ("out_of_scope", 0.8), ("greet", 0.1)),
    p("out_of_scope", "nlu_fallback", ("ask_balance", 0.25), ("greet", 0.1)),
    p("out_of_scope", "ask_balance", ("ask_balance", 0.7), ("out_of_scope", 0.2)),
]


def test_accuracy_counts_only_in_scope_messages_and_a_fallback_as_wrong() -> None:
    scores = score(PREDICTIONS, ambiguity=0.1)
    assert (scores.messages, scores.in_scope, scores.out_of_scope) == (7, 4, 3)
    assert scores.in_scope_accuracy == pytest.approx(2 / 4)


def test_oos_rejection_accepts_out_of_scope_and_fallback() -> None:
    assert score(PREDICTIONS, ambiguity=0.1).oos_rejection == pytest.approx(2 / 3)


def test_no_out_of_scope_messages_means_no_rejection_figure() -> None:
    assert score(PREDICTIONS[:4], ambiguity=0.1).oos_rejection is None


def test_per_intent_precision_recall_f1() -> None:
    rows = {row.intent: row for row in score(PREDICTIONS, ambiguity=0.1).per_intent}
    assert set(rows) == {"ask_balance", "greet", "out_of_scope"}
    # ask_balance: given 2 times (1 right), 2 messages (1 found)
    assert (rows["ask_balance"].precision, rows["ask_balance"].recall) == (0.5, 0.5)
    # greet: given 2 times (1 right), 2 messages (1 found; the fallback is a miss)
    assert (rows["greet"].precision, rows["greet"].recall) == (0.5, 0.5)
    # out_of_scope with fallback merged: rejected 3 times (2 truly out of scope), 3 messages
    oos = rows["out_of_scope"]
    assert (oos.precision, oos.recall, oos.support) == pytest.approx((2 / 3, 2 / 3, 3))
    assert oos.f1 == pytest.approx(2 / 3)


def test_confusions_leave_out_rejected_out_of_scope_messages() -> None:
    pairs = {(c.gold, c.predicted): c.count for c in score(PREDICTIONS, ambiguity=0.1).confusions}
    assert pairs == {
        ("ask_balance", "greet"): 1,
        ("greet", "nlu_fallback"): 1,
        ("out_of_scope", "ask_balance"): 1,
    }


def test_confusions_are_ordered_by_frequency() -> None:
    many = [p("greet", "goodbye")] * 3 + [p("ask_balance", "greet")] * 2 + PREDICTIONS[:1]
    counts = [c.count for c in score(many, ambiguity=0.1).confusions]
    assert counts == [3, 2]


def test_sweep_recomputes_the_fallback_from_the_ranking() -> None:
    points = {pt.threshold: pt for pt in score(PREDICTIONS, ambiguity=0.1).sweep}
    assert min(points) == 0.2
    assert max(points) == 0.8
    # 0.40: greet 0.35 falls back, greet 0.45 kept, ask_balance 0.25 falls back
    assert points[0.4].in_scope_accuracy == pytest.approx(2 / 4)
    assert points[0.4].oos_rejection == pytest.approx(2 / 3)
    # 0.20: the 0.25 out-of-scope message is answered ask_balance -> one rejection left
    assert points[0.2].oos_rejection == pytest.approx(1 / 3)
    # 0.75: only the two 0.8/0.9 answers survive; the 0.7 out-of-scope answer falls back
    assert points[0.75].in_scope_accuracy == pytest.approx(1 / 4)
    assert points[0.75].oos_rejection == pytest.approx(3 / 3)


def test_ambiguity_threshold_falls_back_when_the_best_two_are_close() -> None:
    close = p("greet", "greet", ("greet", 0.5), ("goodbye", 0.45))
    assert close.at_threshold(0.3, ambiguity=0.1) == "nlu_fallback"
    assert close.at_threshold(0.3, ambiguity=0.01) == "greet"


def test_prediction_from_a_rasa_parse_skips_the_fallback_in_the_ranking() -> None:
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "greet", "confidence": 0.38},
            {"name": "goodbye", "confidence": 0.3},
            {"name": "ask_balance", "confidence": 0.1},
        ],
    }
    found = Prediction.from_parse("greet", parsed)
    assert found.intent == "nlu_fallback"
    assert found.ranking == (("greet", 0.38), ("goodbye", 0.3))
    assert Prediction.from_json(found.to_json()) == found


def test_spread_ignores_missing_values() -> None:
    assert Spread.of([0.9, None, 0.8, 1.0]) == Spread(pytest.approx(0.9), 0.8, 1.0)
    assert Spread.of([None]) is None
