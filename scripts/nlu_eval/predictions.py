"""What a trained model said about each labelled message, and what it would say at another
fallback threshold."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .examples import FALLBACK, Example

# The sweep needs the best two classifier intents (the ambiguity rule compares them).
RANKING_KEPT = 2


@dataclass(frozen=True)
class Prediction:
    """`intent` is the pipeline's answer (after its FallbackClassifier); `ranking` the classifier's
    best intents before any fallback, best first, as (name, confidence)."""

    gold: str
    intent: str
    ranking: tuple[tuple[str, float], ...]

    def at_threshold(self, threshold: float, ambiguity: float) -> str:
        """The intent Rasa's FallbackClassifier would return with these settings."""
        if not self.ranking:
            return self.intent
        name, confidence = self.ranking[0]
        if confidence < threshold:
            return FALLBACK
        if len(self.ranking) > 1 and confidence - self.ranking[1][1] < ambiguity:
            return FALLBACK
        return name

    @classmethod
    def from_parse(cls, gold: str, parsed: dict[str, Any]) -> Prediction:
        ranking = [
            (str(item["name"]), float(item["confidence"]))
            for item in parsed.get("intent_ranking") or []
            if item["name"] != FALLBACK
        ]
        intent = parsed.get("intent") or {}
        return cls(gold, str(intent.get("name")), tuple(ranking[:RANKING_KEPT]))

    def to_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "intent": self.intent,
            "ranking": [list(r) for r in self.ranking],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Prediction:
        ranking = tuple((str(name), float(conf)) for name, conf in raw["ranking"])
        return cls(str(raw["gold"]), str(raw["intent"]), ranking)


async def _parse(model: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def predict(model: Path, examples: Sequence[Example]) -> list[Prediction]:
    """Parses every example with the model, one message at a time, as the server would."""
    parsed = asyncio.run(_parse(model, [e.text for e in examples]))
    gc.collect()  # the agent's TensorFlow graph goes before the next model loads
    return [Prediction.from_parse(e.intent, p) for e, p in zip(examples, parsed, strict=True)]


def save(path: Path, predictions: Sequence[Prediction]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([p.to_json() for p in predictions]))
    tmp.replace(path)


def load(path: Path) -> list[Prediction]:
    return [Prediction.from_json(raw) for raw in json.loads(path.read_text())]
