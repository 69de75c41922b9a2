"""Labelled messages read from Rasa NLU data files, and the labels that mean "not ours"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput, MissingInput

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
# A message labelled out of scope is rejected when the model says either of these.
REJECTIONS = frozenset({OUT_OF_SCOPE, FALLBACK})


@dataclass(frozen=True)
class Example:
    text: str
    intent: str

    @property
    def in_scope(self) -> bool:
        return self.intent != OUT_OF_SCOPE


def load_examples(path: Path) -> list[Example]:
    """Every intent example of a Rasa NLU file or folder (YAML or Markdown/JSON Rasa reads)."""
    from rasa.shared.nlu.training_data.loading import load_data

    if not path.exists():
        raise MissingInput(f"NLU data not found: {path}")
    data = load_data(str(path))
    examples = [Example(str(e.get("text")), str(e.get("intent"))) for e in data.intent_examples]
    if not examples:
        raise InvalidInput(f"no intent examples in {path}")
    return examples
