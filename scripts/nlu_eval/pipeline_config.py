"""The Rasa config under evaluation: its fallback settings, seeded variants, custom code."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidInput, MissingInput

SEED_KEYS = ("random_seed", "random_state")
# Components with a `random_seed` parameter that leave it unset by default: a seeded run sets it.
SEEDABLE = frozenset({"DIETClassifier", "ResponseSelector"})
DEFAULT_SEED = 42
# Rasa's FallbackClassifier defaults, used when the component lists no value.
FALLBACK_DEFAULTS = {"threshold": 0.3, "ambiguity_threshold": 0.1}


@dataclass(frozen=True)
class PipelineConfig:
    path: Path
    content: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> PipelineConfig:
        from rasa.shared.utils.io import read_yaml_file

        if not path.is_file():
            raise MissingInput(f"config not found: {path}")
        content = read_yaml_file(str(path))
        if not isinstance(content, dict) or not isinstance(content.get("pipeline"), list):
            raise InvalidInput(f"{path} has no NLU pipeline")
        return cls(path, content)

    @property
    def pipeline(self) -> list[dict[str, Any]]:
        return list(self.content["pipeline"])

    def _fallback(self) -> dict[str, Any] | None:
        return next((c for c in self.pipeline if c.get("name") == "FallbackClassifier"), None)

    @property
    def fallback_threshold(self) -> float | None:
        component = self._fallback()
        if component is None:
            return None
        return float(component.get("threshold", FALLBACK_DEFAULTS["threshold"]))

    @property
    def ambiguity_threshold(self) -> float:
        component = self._fallback()
        if component is None:
            return 0.0
        default = FALLBACK_DEFAULTS["ambiguity_threshold"]
        return float(component.get("ambiguity_threshold", default))

    @property
    def configured_seed(self) -> int:
        """The first seed the pipeline sets, so the first seeded run is the configured model."""
        for component in self.pipeline:
            for key in SEED_KEYS:
                if isinstance(component.get(key), int):
                    return int(component[key])
        return DEFAULT_SEED

    def seeds(self, count: int) -> list[int]:
        return [self.configured_seed + i for i in range(count)]

    def nlu_only(self, seed: int | None = None) -> dict[str, Any]:
        """The config without policies (an NLU-only training ignores them, so they do not key the
        cache); with `seed`, every seed key of the pipeline is set to it."""
        content = {k: copy.deepcopy(v) for k, v in self.content.items() if k != "policies"}
        if seed is None:
            return content
        for component in content["pipeline"]:
            keys = [k for k in SEED_KEYS if k in component]
            if not keys and component.get("name") in SEEDABLE:
                keys = ["random_seed"]
            for key in keys:
                component[key] = seed
        return content

    def custom_code(self, root: Path) -> list[Path]:
        """Source files of the project packages that custom components (dotted names) come from."""
        packages = {
            str(c["name"]).split(".", 1)[0] for c in self.pipeline if "." in str(c.get("name", ""))
        }
        return sorted(f for p in packages for f in (root / p).rglob("*.py"))


def canonical(content: dict[str, Any]) -> str:
    """A stable text of a config, for hashing and writing (JSON is valid YAML)."""
    return json.dumps(content, sort_keys=True, indent=1)
