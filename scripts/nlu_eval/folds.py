"""Stratified cross-validation splits of the training data (scikit-learn's StratifiedKFold).

Like Rasa's own `rasa.nlu.test.generate_folds`, but with a fixed random_state, so a fold is the
same every run and its trained model can be cached.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput
from .examples import Example

FOLD_RANDOM_STATE = 20240611


@dataclass(frozen=True)
class Fold:
    index: int
    train_file: Path
    test: tuple[Example, ...]


def write_folds(data_path: Path, n_folds: int, out_dir: Path) -> list[Fold]:
    """Splits the intent examples of `data_path` and writes each fold's training part to
    `out_dir` (with the regexes, lookup tables, synonyms and responses of the whole data)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_data(str(data_path))
    messages = data.intent_examples
    labels = [m.get_full_intent() for m in messages]
    if n_folds < 2 or len(messages) < n_folds:
        raise InvalidInput(f"{n_folds} folds need at least 2 folds and {n_folds} examples")
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=FOLD_RANDOM_STATE)
    out_dir.mkdir(parents=True, exist_ok=True)
    folds = []
    with warnings.catch_warnings():
        # An intent with fewer examples than folds is missing from some test parts; that is fine.
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(splitter.split(messages, labels))
    for index, (train_index, test_index) in enumerate(splits):
        train = TrainingData(
            training_examples=[messages[i] for i in train_index],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
            responses=data.responses,
        )
        train_file = out_dir / f"fold-{index + 1}-of-{n_folds}.yml"
        RasaYAMLWriter().dump(train_file, train)
        test = tuple(
            Example(str(messages[i].get("text")), str(messages[i].get("intent")))
            for i in test_index
        )
        folds.append(Fold(index + 1, train_file, test))
    return folds
