"""NLU-only models trained with Rasa's Python API and cached under var/ by a hash of their inputs.

The key covers the config as trained (seed included, policies left out), the training data, the
source of the project packages that custom components come from, and the Rasa version: change any
of them and the model is trained again; change nothing and it is reused.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fingerprints
from .errors import TrainingFailed
from .pipeline_config import canonical

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    key: str
    seconds: float
    cached: bool


@dataclass(frozen=True)
class ModelStore:
    root: Path
    project_root: Path

    def key(self, config: dict[str, Any], data: Path, code: list[Path]) -> str:
        import rasa

        return fingerprints.of_texts(
            [
                canonical(config),
                fingerprints.of_data(data),
                fingerprints.of_files(code, self.project_root),
                rasa.__version__,
            ]
        )

    def model(self, config: dict[str, Any], data: Path, code: list[Path]) -> TrainedModel:
        """The cached model for these inputs, trained first when there is none."""
        key = self.key(config, data, code)
        path = self.root / "models" / f"{key}.tar.gz"
        if path.is_file():
            return TrainedModel(path, key, 0.0, cached=True)
        config_file = self.root / "configs" / f"{key}.yml"
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text(canonical(config))
        started = time.perf_counter()
        trained, printed = _train(config_file, data, path.parent, key)
        if trained is None or not Path(trained).is_file():
            raise TrainingFailed(
                f"Rasa trained no model for {data} with {config_file}: {printed[-500:]}"
            )
        return TrainedModel(Path(trained), key, time.perf_counter() - started, cached=False)


def _train(config: Path, data: Path, out: Path, name: str) -> tuple[str | None, str]:
    """The model's path (None when Rasa trained none) and what Rasa printed meanwhile."""
    from rasa.model_training import train_nlu

    logger.info("training NLU model %s", name)
    # Rasa prints a summary per training; the evaluation prints its own.
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        trained = train_nlu(str(config), str(data), str(out), fixed_model_name=name)
    return trained, printed.getvalue()
