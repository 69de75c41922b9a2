"""The Slovenian part of the NLU evaluation: the cross-validation scored per language, and the
rules for the Slovenian data (every intent covered, the held-out set never in training)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from scripts.nlu_eval.errors import InvalidInput
from scripts.nlu_eval.examples import load_examples
from scripts.nlu_eval.languages import Language, cross_validation_by_language, languages_of
from scripts.nlu_eval.predictions import Prediction

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


@dataclass
class FakeTrainer:
    """Stands in for Rasa training: the 'model' answers each message's own intent, except the
    Slovenian thanks, which it takes for greetings."""

    root: Path
    trained: list[Path] = field(default_factory=list)

    @property
    def store(self) -> SimpleNamespace:
        return SimpleNamespace(root=self.root)

    config = SimpleNamespace(ambiguity_threshold=0.1)

    def train(self, data: Path, seed: int | None, label: str) -> SimpleNamespace:
        self.trained.append(data)
        return SimpleNamespace(path=data, key=data.stem)

    def predict(self, model: Path, examples, label: str, key: str) -> list[Prediction]:
        answers = ["greet" if e.text.startswith("hvala") else e.intent for e in examples]
        return [
            Prediction(e.intent, a, ((a, 0.9),)) for e, a in zip(examples, answers, strict=True)
        ]


def test_each_language_is_scored_on_its_own_examples(data_dir: Path, tmp_path: Path) -> None:
    trainer = FakeTrainer(tmp_path / "cache")
    scores = cross_validation_by_language(trainer, data_dir, 3, ["en", "sl"])  # type: ignore[arg-type]
    assert len(trainer.trained) == 3  # the pooled folds: no training added per language
    assert scores["cv_en"].pooled.messages == 6
    assert scores["cv_en"].pooled.in_scope_accuracy == 1.0
    assert scores["cv_sl"].pooled.messages == 12
    assert scores["cv_sl"].pooled.in_scope_accuracy == pytest.approx(0.5)  # the thanks missed


def test_languages_follow_the_data_folders(data_dir: Path) -> None:
    owner = languages_of(data_dir, [Language.named("en"), Language.named("sl")])
    assert owner[("hello 1", "greet")] == "en"
    assert owner[("živjo 1", "greet")] == "sl"
    assert owner[("hvala 1", "thank")] == "sl"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Language.named("de")


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


def _words(text: str) -> frozenset[str]:
    return frozenset(_normalised(text).split())


def test_no_training_line_nearly_repeats_a_held_out_message() -> None:
    """Neither holdout (English or Slovenian) has a near copy in training: no training line of four
    or more distinct words shares 80 % of its words (token Jaccard) with a held-out message. Shorter
    lines ("yes", "hvala") are the natural forms of their intents and may coincide."""
    held_out = [
        _words(e.text)
        for name in ("holdout.yml", "holdout_sl.yml")
        for e in load_examples(ROOT / "tests/nlu" / name)
    ]
    near = sorted(
        e.text
        for e in load_examples(ROOT / "data/nlu")
        if len(words := _words(e.text)) >= 4
        and any(len(words & held) / len(words | held) >= 0.8 for held in held_out)
    )
    assert near == []
