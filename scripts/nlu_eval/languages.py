"""Cross-validation per language of the one model for both languages.

The training data of all languages sits under data/nlu (Slovenian in data/nlu/sl/, English the
rest). The k-fold cross-validation of all of it (`Evaluator.cross_validation`) predicts every
example with a model that did not see it; scored apart for each language's examples, it gives
the combined model's cross-validation on Slovenian (`cv_sl`) and on English (`cv_en`, to check
that adding Slovenian cost English nothing). The folds, models and predictions are the cached
ones of the pooled cross-validation: no training is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import fingerprints
from .errors import InvalidInput, MissingInput
from .evaluation import CrossValidation, Evaluator
from .folds import write_folds
from .metrics import SetScores, Spread, score
from .predictions import Prediction

# Where each language's training data is, relative to the data folder (English: the rest).
LANGUAGE_FOLDERS = {"sl": "sl"}


@dataclass(frozen=True)
class Language:
    code: str
    owns: Callable[[Path], bool]  # does this data file (relative to the data folder) hold it

    @classmethod
    def named(cls, code: str) -> Language:
        if code in LANGUAGE_FOLDERS:
            folder = LANGUAGE_FOLDERS[code]
            return cls(code, lambda path: path.parts[:1] == (folder,))
        if code == "en":
            others = set(LANGUAGE_FOLDERS.values())
            return cls(code, lambda path: not (path.parts[:1] and path.parts[0] in others))
        raise InvalidInput(f"unknown language {code!r} (known: en, {', '.join(LANGUAGE_FOLDERS)})")


def languages_of(data_dir: Path, languages: list[Language]) -> dict[tuple[str, str], str]:
    """(text, intent) of every example of `data_dir` -> the code of the language whose files hold
    it (a message in both languages' files counts for the first language listed)."""
    from rasa.shared.nlu.training_data.loading import load_data

    if not data_dir.is_dir():
        raise MissingInput(f"NLU data folder not found: {data_dir}")
    found: dict[tuple[str, str], str] = {}
    for path in sorted(p for p in data_dir.rglob("*.yml") if p.is_file()):
        owner = next((lang for lang in languages if lang.owns(path.relative_to(data_dir))), None)
        if owner is None:
            continue
        for message in load_data(str(path)).intent_examples:
            found.setdefault((str(message.get("text")), str(message.get("intent"))), owner.code)
    return found


def cross_validation_by_language(
    evaluator: Evaluator, data_dir: Path, n_folds: int, codes: list[str]
) -> dict[str, CrossValidation]:
    """The k-fold cross-validation of all training data (the same folds, models and predictions
    as `Evaluator.cross_validation`, reused from its cache), scored per language: `cv_<code>`."""
    languages = [Language.named(code) for code in codes]
    owner = languages_of(data_dir, languages)
    fold_dir = evaluator.store.root / "folds" / fingerprints.of_data(data_dir)
    found: dict[str, list[Prediction]] = {code: [] for code in codes}
    per_fold: dict[str, list[SetScores]] = {code: [] for code in codes}
    for fold in write_folds(data_dir, n_folds, fold_dir):
        label = f"fold {fold.index}/{n_folds}"
        model = evaluator.train(fold.train_file, None, label)
        key = f"{model.key}-{fingerprints.of_texts(e.text for e in fold.test)}"
        predictions = evaluator.predict(model.path, fold.test, label, key)
        for code in codes:
            mine = [
                p
                for e, p in zip(fold.test, predictions, strict=True)
                if owner.get((e.text, e.intent)) == code
            ]
            if mine:
                per_fold[code].append(score(mine, evaluator.config.ambiguity_threshold))
                found[code] += mine
    for code in codes:
        if not found[code]:
            raise InvalidInput(f"no {code} examples in {data_dir}")
    return {
        f"cv_{code}": CrossValidation(
            folds=n_folds,
            pooled=score(found[code], evaluator.config.ambiguity_threshold),
            fold_accuracy=Spread.of(s.in_scope_accuracy for s in per_fold[code]),
            fold_oos_rejection=Spread.of(s.oos_rejection for s in per_fold[code]),
        )
        for code in codes
    }
