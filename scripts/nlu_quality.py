"""NLU quality on held-out examples the model never saw (runs on .venv-rasa's Python).

Reports intent accuracy on in-scope messages, how many out-of-scope messages end in a fallback
(`nlu_fallback` or `out_of_scope`), and how both move with the FallbackClassifier threshold, so the
threshold in config.yml can be tuned. Exits 1 when the model is below the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# The pipeline's custom components (addons/) are imported by module path, as `rasa` finds them
# from the project root.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(example.get("text"), example.get("intent")) for example in data.intent_examples]


async def predict(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def top_intent(parsed: dict[str, Any]) -> tuple[str, float]:
    """The classifier's best intent before the fallback threshold is applied."""
    ranking = [item for item in parsed.get("intent_ranking", []) if item["name"] != FALLBACK]
    if not ranking:
        return parsed["intent"]["name"], parsed["intent"].get("confidence", 0.0)
    return ranking[0]["name"], ranking[0]["confidence"]


def scores(
    examples: list[tuple[str, str]], parsed: list[dict[str, Any]], threshold: float
) -> dict[str, float]:
    in_scope = [
        (gold, top_intent(p))
        for (_, gold), p in zip(examples, parsed, strict=True)
        if gold != OUT_OF_SCOPE
    ]
    oos = [
        top_intent(p) for (_, gold), p in zip(examples, parsed, strict=True) if gold == OUT_OF_SCOPE
    ]
    correct = sum(1 for gold, (name, conf) in in_scope if name == gold and conf >= threshold)
    caught = sum(1 for name, conf in oos if name == OUT_OF_SCOPE or conf < threshold)
    return {
        "threshold": threshold,
        "intent_accuracy": correct / len(in_scope) if in_scope else 0.0,
        "out_of_scope_fallback_rate": caught / len(oos) if oos else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("var/results/nlu"))
    parser.add_argument("--min-accuracy", type=float, default=0.88)
    parser.add_argument("--min-oos", type=float, default=0.80)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(1, str(PROJECT_ROOT))

    examples = load_examples(args.data)
    parsed = asyncio.run(predict(args.model, [text for text, _ in examples]))
    in_scope = [
        (gold, p) for (_, gold), p in zip(examples, parsed, strict=True) if gold != OUT_OF_SCOPE
    ]
    correct = sum(1 for gold, p in in_scope if p["intent"]["name"] == gold)
    oos = [p for (_, gold), p in zip(examples, parsed, strict=True) if gold == OUT_OF_SCOPE]
    caught = sum(1 for p in oos if p["intent"]["name"] in (FALLBACK, OUT_OF_SCOPE))
    actual = {
        "intent_accuracy": correct / len(in_scope),
        "out_of_scope_fallback_rate": caught / len(oos) if oos else 0.0,
    }
    errors = Counter(
        f"{gold} -> {p['intent']['name']}"
        for (_, gold), p in zip(examples, parsed, strict=True)
        if p["intent"]["name"] != gold
    )
    sweep = [scores(examples, parsed, t / 100) for t in range(30, 91, 5)]
    report = {
        "examples": len(examples),
        "with_configured_threshold": actual,
        "sweep": sweep,
        "confusions": errors.most_common(25),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "holdout_report.json").write_text(json.dumps(report, indent=2))

    accuracy, oos_rate = actual["intent_accuracy"], actual["out_of_scope_fallback_rate"]
    print(f"held-out examples: {len(examples)} ({len(in_scope)} in scope, {len(oos)} out of scope)")
    print(f"intent accuracy (in scope):      {accuracy:.3f}  target >= {args.min_accuracy}")
    print(f"out-of-scope ending in fallback: {oos_rate:.3f}  target >= {args.min_oos}")
    print("threshold sweep (accuracy / oos caught):")
    for row in sweep:
        rates = f"{row['intent_accuracy']:.3f} / {row['out_of_scope_fallback_rate']:.3f}"
        print(f"  {row['threshold']:.2f}: {rates}")
    print(
        "most frequent confusions:",
        ", ".join(f"{k} ({v})" for k, v in errors.most_common(8)) or "none",
    )
    ok = (
        actual["intent_accuracy"] >= args.min_accuracy
        and actual["out_of_scope_fallback_rate"] >= args.min_oos
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
