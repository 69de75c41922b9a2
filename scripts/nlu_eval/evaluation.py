"""The runs behind the report: one model on the evaluation sets, trainings with several seeds,
and k-fold cross-validation of the training data. Models and predictions are cached under var/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import fingerprints, predictions
from .examples import Example, load_examples
from .folds import write_folds
from .metrics import SetScores, Spread, score
from .pipeline_config import PipelineConfig
from .predictions import Prediction
from .timings import Clock
from .training import ModelStore, TrainedModel


@dataclass(frozen=True)
class EvalSet:
    name: str
    path: Path
    examples: tuple[Example, ...]

    @classmethod
    def load(cls, name: str, path: Path) -> EvalSet:
        return cls(name, path, tuple(load_examples(path)))

    @property
    def fingerprint(self) -> str:
        return fingerprints.of_texts(f"{e.intent}\t{e.text}" for e in self.examples)


@dataclass(frozen=True)
class SeedRun:
    seed: int
    scores: dict[str, SetScores]


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    pooled: SetScores
    fold_accuracy: Spread | None
    fold_oos_rejection: Spread | None


@dataclass(frozen=True)
class Evaluator:
    config: PipelineConfig
    store: ModelStore
    clock: Clock

    def predict(
        self, model: Path, examples: Sequence[Example], label: str, cache_key: str | None
    ) -> list[Prediction]:
        """Parses with the model; with `cache_key`, reuses the predictions of an earlier run."""
        cached = self.store.root / "predictions" / f"{cache_key}.json"
        if cache_key and cached.is_file():
            self.clock.record(f"parse {label}", 0.0, cached=True)
            return predictions.load(cached)
        with self.clock.step(f"parse {label} ({len(examples)} messages)"):
            result = predictions.predict(model, examples)
        if cache_key:
            predictions.save(cached, result)
        return result

    def score_model(
        self, model: Path, sets: Sequence[EvalSet], label: str, model_key: str | None = None
    ) -> dict[str, SetScores]:
        scores = {}
        for eval_set in sets:
            key = f"{model_key}-{eval_set.fingerprint}" if model_key else None
            found = self.predict(model, eval_set.examples, f"{eval_set.name}, {label}", key)
            scores[eval_set.name] = score(found, self.config.ambiguity_threshold)
        return scores

    def train(self, data: Path, seed: int | None, label: str) -> TrainedModel:
        code = self.config.custom_code(self.store.project_root)
        model = self.store.model(self.config.nlu_only(seed), data, code)
        self.clock.record(f"train {label}", model.seconds, model.cached)
        return model

    def seed_runs(self, data: Path, sets: Sequence[EvalSet], count: int) -> list[SeedRun]:
        runs = []
        for seed in self.config.seeds(count):
            model = self.train(data, seed, f"seed {seed}")
            runs.append(
                SeedRun(seed, self.score_model(model.path, sets, f"seed {seed}", model.key))
            )
        return runs

    def cross_validation(self, data: Path, n_folds: int) -> CrossValidation:
        """Each fold's model is trained with the config as written (its own seed)."""
        fold_dir = self.store.root / "folds" / fingerprints.of_data(data)
        found: list[Prediction] = []
        per_fold: list[SetScores] = []
        for fold in write_folds(data, n_folds, fold_dir):
            label = f"fold {fold.index}/{n_folds}"
            model = self.train(fold.train_file, None, label)
            key = f"{model.key}-{fingerprints.of_texts(e.text for e in fold.test)}"
            fold_predictions = self.predict(model.path, fold.test, label, key)
            per_fold.append(score(fold_predictions, self.config.ambiguity_threshold))
            found += fold_predictions
        return CrossValidation(
            folds=n_folds,
            pooled=score(found, self.config.ambiguity_threshold),
            fold_accuracy=Spread.of(s.in_scope_accuracy for s in per_fold),
            fold_oos_rejection=Spread.of(s.oos_rejection for s in per_fold),
        )
