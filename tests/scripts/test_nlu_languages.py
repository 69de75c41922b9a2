"""The Slovenian part of the NLU evaluation: one language's folds inside the combined model, and
the rules for the Slovenian data (every intent covered, the held-out set never in training)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from scripts.nlu_eval.errors import InvalidInput
from scripts.nlu_eval.examples import load_examples
from scripts.nlu_eval.languages import Language, write_language_folds

ROOT = Path(__file__).resolve().parents[2]


def write_nlu(path: Path, intents: dict[str, list[str]], extra: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    blocks = [
        f"- intent: {name}\n  examples: |\n" + "".join(f"    - {t}\n" for t in texts)
        for name, texts in intents.items()
    ]
    path.write_text('version: "3.1"\nnlu:\n' + "".join(blocks) + extra)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "nlu"
    write_nlu(root / "en.yml", {"greet": [f"hello {i}" for i in range(6)]})
    write_nlu(
        root / "sl" / "sl.yml",
        {
            "greet": [f"živjo {i}" for i in range(6)],
            "thank": [f"hvala {i}" for i in range(6)],
        },
        extra="- synonym: sl\n  examples: |\n    - slovensko\n",
    )
    return root


def test_only_the_language_is_split_and_everything_else_is_always_trained(
    data_dir: Path, tmp_path: Path
) -> None:
    folds = write_language_folds(data_dir, Language.named("sl"), 3, tmp_path / "folds")
    tested = [e.text for fold in folds for e in fold.test]
    expected = [f"živjo {i}" for i in range(6)] + [f"hvala {i}" for i in range(6)]
    assert sorted(tested) == sorted(expected)
    for fold in folds:
        trained = {e.text for e in load_examples(fold.train_file)}
        assert {f"hello {i}" for i in range(6)} <= trained
        assert not trained & {e.text for e in fold.test}
        assert len(trained) == 6 + 12 - len(fold.test)
        assert Counter(e.intent for e in fold.test) == {"greet": 2, "thank": 2}  # stratified
        assert "slovensko" in fold.train_file.read_text()  # synonyms of the whole data kept


def test_english_is_everything_outside_the_language_folders(data_dir: Path, tmp_path: Path) -> None:
    folds = write_language_folds(data_dir, Language.named("en"), 2, tmp_path / "folds")
    assert sorted(e.text for f in folds for e in f.test) == [f"hello {i}" for i in range(6)]


def test_unknown_language_or_too_few_examples_is_refused(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        Language.named("de")
    with pytest.raises(InvalidInput):
        write_language_folds(data_dir, Language.named("sl"), 20, tmp_path / "folds")


# --- the committed Slovenian data ---------------------------------------------------------------


def _normalised(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w ]", " ", text).split())


def _domain_intents() -> set[str]:
    return set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])


def test_every_intent_has_slovenian_training_and_held_out_messages() -> None:
    training = Counter(e.intent for e in load_examples(ROOT / "data/nlu/sl"))
    held_out = Counter(e.intent for e in load_examples(ROOT / "tests/nlu/holdout_sl.yml"))
    assert set(training) == _domain_intents()
    assert set(held_out) == _domain_intents()
    assert min(held_out.values()) >= 8
    assert training["out_of_scope"] >= 300


def test_no_held_out_message_is_in_the_training_data() -> None:
    """Not even with other accents, case or punctuation: the held-out set stays unseen."""
    held_out = {_normalised(e.text) for e in load_examples(ROOT / "tests/nlu/holdout_sl.yml")}
    training = {_normalised(e.text) for e in load_examples(ROOT / "data/nlu")}
    assert held_out & training == set()
