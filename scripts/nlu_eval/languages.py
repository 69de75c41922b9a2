"""Cross-validation of one language's training data inside the one model for both languages.

The training data of all languages sits under data/nlu (Slovenian in data/nlu/sl/). A language's
cross-validation splits only that language's examples into stratified folds; each fold's model is
trained on everything else (the other languages whole, this language's other folds), so it
measures the combined model on the language's own phrasing. With the English subset it checks that
adding Slovenian did not cost English anything; the English folds are the same messages whatever
other languages are added (the split depends on the English examples only).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import fingerprints
from .errors import InvalidInput, MissingInput
from .evaluation import CrossValidation, Evaluator
from .examples import Example
from .folds import FOLD_RANDOM_STATE, Fold
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


def write_language_folds(
    data_dir: Path, language: Language, n_folds: int, out_dir: Path
) -> list[Fold]:
    """Stratified folds of `language`'s examples; each fold's training file holds every other
    example of `data_dir` with the synonyms, lookup tables and regexes of the whole data."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    if not data_dir.is_dir():
        raise MissingInput(f"NLU data folder not found: {data_dir}")
    files = sorted(p for p in data_dir.rglob("*.yml") if p.is_file())
    ours, rest = [], []
    for path in files:
        messages = load_data(str(path)).intent_examples
        (ours if language.owns(path.relative_to(data_dir)) else rest).extend(messages)
    if len(ours) < n_folds or n_folds < 2:
        raise InvalidInput(
            f"{n_folds} folds need at least 2 folds and {n_folds} {language.code} examples"
        )
    whole = load_data(str(data_dir))
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=FOLD_RANDOM_STATE)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(splitter.split(ours, [m.get_full_intent() for m in ours]))
    out_dir.mkdir(parents=True, exist_ok=True)
    folds = []
    for index, (train_index, test_index) in enumerate(splits):
        train = TrainingData(
            training_examples=rest + [ours[i] for i in train_index],
            entity_synonyms=whole.entity_synonyms,
            regex_features=whole.regex_features,
            lookup_tables=whole.lookup_tables,
            responses=whole.responses,
        )
        train_file = out_dir / f"{language.code}-fold-{index + 1}-of-{n_folds}.yml"
        RasaYAMLWriter().dump(train_file, train)
        test = tuple(
            Example(str(ours[i].get("text")), str(ours[i].get("intent"))) for i in test_index
        )
        folds.append(Fold(index + 1, train_file, test))
    return folds


def language_cross_validation(
    evaluator: Evaluator, data_dir: Path, code: str, n_folds: int
) -> CrossValidation:
    """k-fold cross-validation of one language's examples, the rest of the data always trained."""
    language = Language.named(code)
    fold_dir = evaluator.store.root / "folds" / f"{code}-{fingerprints.of_data(data_dir)}"
    found: list[Prediction] = []
    per_fold: list[SetScores] = []
    for fold in write_language_folds(data_dir, language, n_folds, fold_dir):
        label = f"{code} fold {fold.index}/{n_folds}"
        model = evaluator.train(fold.train_file, None, label)
        key = f"{model.key}-{fingerprints.of_texts(e.text for e in fold.test)}"
        fold_predictions = evaluator.predict(model.path, fold.test, label, key)
        per_fold.append(score(fold_predictions, evaluator.config.ambiguity_threshold))
        found += fold_predictions
    return CrossValidation(
        folds=n_folds,
        pooled=score(found, evaluator.config.ambiguity_threshold),
        fold_accuracy=Spread.of(s.in_scope_accuracy for s in per_fold),
        fold_oos_rejection=Spread.of(s.oos_rejection for s in per_fold),
    )
