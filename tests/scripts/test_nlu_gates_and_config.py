"""CI gates, seeded configs and cross-validation folds of the NLU evaluation (scripts/nlu_eval/)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scripts.nlu_eval.errors import InvalidInput, MissingInput
from scripts.nlu_eval.folds import write_folds
from scripts.nlu_eval.gates import Gate, check, check_runs, load_gates
from scripts.nlu_eval.metrics import score
from scripts.nlu_eval.pipeline_config import PipelineConfig
from scripts.nlu_eval.predictions import Prediction

ROOT = Path(__file__).resolve().parents[2]


def scores(right: int, wrong: int, rejected: int, taken: int) -> dict:
    found = (
        [Prediction("greet", "greet", (("greet", 0.9),))] * right
        + [Prediction("greet", "goodbye", (("goodbye", 0.9),))] * wrong
        + [Prediction("out_of_scope", "nlu_fallback", (("greet", 0.1),))] * rejected
        + [Prediction("out_of_scope", "greet", (("greet", 0.9),))] * taken
    )
    return {"holdout": score(found, ambiguity=0.1)}


GATES = [Gate("holdout", "in_scope_accuracy", 0.9), Gate("holdout", "oos_rejection", 0.5)]


def test_a_model_at_the_minimum_passes_and_below_fails() -> None:
    assert all(v.passed for v in check(GATES, scores(9, 1, 1, 1)))
    verdicts = check(GATES, scores(8, 2, 1, 1))
    assert [v.passed for v in verdicts] == [False, True]
    assert verdicts[0].actual == pytest.approx(0.8)


def test_a_gate_on_a_set_not_evaluated_fails() -> None:
    (verdict,) = check([Gate("dev", "in_scope_accuracy", 0.1)], scores(9, 1, 1, 1))
    assert not verdict.passed


def test_over_several_trainings_the_lowest_value_is_checked() -> None:
    verdicts = check_runs(GATES, [scores(10, 0, 1, 0), scores(8, 2, 2, 0)])
    assert [v.actual for v in verdicts] == [pytest.approx(0.8), pytest.approx(1.0)]
    assert [v.passed for v in verdicts] == [False, True]


def test_the_committed_gates_file_loads() -> None:
    gates = load_gates(ROOT / "tests/nlu/gates.yml")
    assert {(g.set_name, g.metric) for g in gates} >= {
        ("holdout", "in_scope_accuracy"),
        ("dev", "in_scope_accuracy"),
        ("dev", "oos_rejection"),
    }


def test_bad_gates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "gates.yml"
    path.write_text("holdout:\n  accuracy: 0.9\n")
    with pytest.raises(InvalidInput):
        load_gates(path)
    path.write_text("holdout:\n  in_scope_accuracy: 90\n")
    with pytest.raises(InvalidInput):
        load_gates(path)
    with pytest.raises(MissingInput):
        load_gates(tmp_path / "none.yml")


CONFIG = """
recipe: default.v1
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: addons.some_module.Classifier
    random_state: 3
  - name: DIETClassifier
    random_seed: 42
  - name: ResponseSelector
  - name: FallbackClassifier
    threshold: 0.4
policies:
  - name: TEDPolicy
    random_seed: 42
"""


def test_seeded_variants_set_every_pipeline_seed_and_drop_policies(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text(CONFIG)
    config = PipelineConfig.load(path)
    assert config.seeds(3) == [3, 4, 5]  # the first configured seed comes first
    seeded = config.nlu_only(7)
    seeds = {c["name"]: c.get("random_seed", c.get("random_state")) for c in seeded["pipeline"]}
    assert seeds == {
        "WhitespaceTokenizer": None,
        "addons.some_module.Classifier": 7,
        "DIETClassifier": 7,
        "ResponseSelector": 7,
        "FallbackClassifier": None,
    }
    assert "policies" not in seeded
    assert config.content["pipeline"][2]["random_seed"] == 42  # the loaded config is unchanged
    assert (config.fallback_threshold, config.ambiguity_threshold) == (0.4, 0.1)


def test_folds_are_stratified_disjoint_and_repeatable(tmp_path: Path) -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    data = tmp_path / "nlu.yml"
    lines = ['version: "3.1"', "nlu:"]
    for intent, count in (("greet", 10), ("goodbye", 5), ("ask_balance", 15)):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {intent} message {i}" for i in range(count)]
    lines += ["- regex: account_number", "  examples: |", "    - \\b\\d{6}\\b"]
    data.write_text("\n".join(lines) + "\n")

    folds = write_folds(data, 5, tmp_path / "folds")
    tested = [e.text for f in folds for e in f.test]
    assert sorted(tested) == sorted(set(tested))
    assert len(tested) == 30
    for fold in folds:
        assert Counter(e.intent for e in fold.test) == {"greet": 2, "goodbye": 1, "ask_balance": 3}
        train = load_data(str(fold.train_file))
        assert len(train.intent_examples) == 24
        assert not {m.get("text") for m in train.intent_examples} & {e.text for e in fold.test}
        assert train.regex_features  # the regexes go with every fold
    again = write_folds(data, 5, tmp_path / "again")
    assert [f.test for f in again] == [f.test for f in folds]
