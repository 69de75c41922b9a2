"""NLU quality: `eval` trains the config under test with several seeds and k folds and writes
var/results/nlu/report.{md,json}; `gate` checks one trained model against tests/nlu/gates.yml.
Runs on .venv-rasa's Python (Rasa 3.6); the code is in scripts/nlu_eval/. See `--help`."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
    from scripts.nlu_eval.cli import main

    sys.exit(main())
