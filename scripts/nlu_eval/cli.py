"""`scripts/nlu_quality.py`: `eval` (seeds, folds, report) and `gate` (one model against the CI
minimums). Evaluation errors become a message and exit code 2; failed gates exit 1."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from pathlib import Path

from . import fingerprints
from .errors import EvaluationError, MissingInput
from .evaluation import EvalSet, Evaluator
from .gates import check, check_runs, load_gates
from .languages import cross_validation_by_language
from .pipeline_config import PipelineConfig, canonical
from .report import Report, console, write
from .timings import Clock
from .training import ModelStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESULTS = PROJECT_ROOT / "var" / "results" / "nlu"
DEFAULT_DEV_SET = PROJECT_ROOT.parent / "shared" / "nlu-dev" / "multidogo.yml"
# Read by addons/encoder/cache.py (not imported here: the add-ons need Rasa's environment first).
EMBEDDING_CACHE_VARIABLE = "SENTENCE_EMBEDDING_CACHE"

logger = logging.getLogger(__name__)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nlu_quality.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--holdout", type=Path, default=PROJECT_ROOT / "tests/nlu/holdout.yml")
    common.add_argument(
        "--holdout-sl", type=Path, default=PROJECT_ROOT / "tests/nlu/holdout_sl.yml"
    )
    common.add_argument(
        "--dev-set", type=Path, default=Path(os.environ.get("NLU_DEV_SET") or DEFAULT_DEV_SET)
    )
    common.add_argument("--skip-dev", action="store_true", help="leave the dev set out")
    common.add_argument("--gates", type=Path, default=PROJECT_ROOT / "tests/nlu/gates.yml")
    common.add_argument("--out", type=Path, help="report folder (default under var/results/nlu)")
    common.add_argument("--cache", type=Path, default=PROJECT_ROOT / "var/nlu-eval")

    run = sub.add_parser("eval", parents=[common], help="train with seeds and folds, report")
    run.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    run.add_argument("--data", type=Path, default=PROJECT_ROOT / "data/nlu")
    run.add_argument("--folds", type=int, default=5, help="0 skips cross-validation")
    run.add_argument("--seeds", type=int, default=3)
    run.add_argument(
        "--languages",
        default="en,sl",
        help="cross-validation also scored per language (comma list; empty for none)",
    )
    run.add_argument("--enforce-gates", action="store_true", help="exit 1 when a seed fails")
    run.add_argument(
        "--no-embedding-cache",
        action="store_true",
        help="embed every text again in every training (default: cached under --cache)",
    )

    gate = sub.add_parser("gate", parents=[common], help="one trained model against the gates")
    gate.add_argument("--model", type=Path, required=True)
    gate.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    return parser.parse_args(argv)


def _out_dir(args: argparse.Namespace) -> Path:
    if args.out is not None:
        return Path(args.out)
    if args.config.resolve() == (PROJECT_ROOT / "config.yml").resolve():
        return RESULTS
    return RESULTS / Path(args.config).stem


def _evaluator(args: argparse.Namespace, clock: Clock) -> Evaluator:
    config = PipelineConfig.load(args.config)
    return Evaluator(config, ModelStore(args.cache, PROJECT_ROOT), clock)


def _sets(args: argparse.Namespace) -> list[EvalSet]:
    sets = [EvalSet.load("holdout", args.holdout), EvalSet.load("holdout_sl", args.holdout_sl)]
    return sets if args.skip_dev else [*sets, EvalSet.load("dev", args.dev_set)]


def _report(evaluator: Evaluator, sets: list[EvalSet], clock: Clock, **parts: object) -> Report:
    return Report(
        config=str(evaluator.config.path),
        config_hash=fingerprints.of_texts([canonical(evaluator.config.content)]),
        fallback_threshold=evaluator.config.fallback_threshold,
        ambiguity_threshold=evaluator.config.ambiguity_threshold,
        set_files={s.name: str(s.path) for s in sets},
        timings=list(clock.timings),
        total_seconds=clock.elapsed,
        **parts,  # type: ignore[arg-type]
    )


def run_eval(args: argparse.Namespace) -> int:
    clock = Clock()
    evaluator = _evaluator(args, clock)
    sets = _sets(args)
    gates = load_gates(args.gates)
    print(f"evaluating {args.config} ({args.seeds} seeds, {args.folds} folds)")
    runs = evaluator.seed_runs(args.data, sets, args.seeds)
    folds = evaluator.cross_validation(args.data, args.folds) if args.folds else None
    codes = [c.strip() for c in args.languages.split(",") if c.strip()] if args.folds else []
    per_language = (
        cross_validation_by_language(evaluator, args.data, args.folds, codes) if codes else {}
    )
    verdicts = check_runs(gates, [run.scores for run in runs])
    report = _report(
        evaluator,
        sets,
        clock,
        seed_runs=runs,
        cross_validation=folds,
        language_cross_validations=per_language,
        verdicts=verdicts,
    )
    return _finish(report, _out_dir(args), "report", enforce=args.enforce_gates)


def run_gate(args: argparse.Namespace) -> int:
    from .evaluation import SeedRun

    if not args.model.is_file():
        raise MissingInput(f"model not found: {args.model}")
    clock = Clock()
    evaluator = _evaluator(args, clock)
    sets = _sets(args)
    gates = load_gates(args.gates)
    scores = evaluator.score_model(args.model, sets, args.model.name)
    run = SeedRun(evaluator.config.configured_seed, scores)
    report = _report(
        evaluator,
        sets,
        clock,
        seed_runs=[run],
        cross_validation=None,
        verdicts=check(gates, scores),
    )
    return _finish(report, _out_dir(args), "gate", enforce=True)


def _finish(report: Report, out_dir: Path, stem: str, enforce: bool) -> int:
    print()
    print(console(report))
    for path in write(report, out_dir, stem):
        print(f"wrote {path}")
    if report.passed:
        return 0
    print("below a CI gate (tests/nlu/gates.yml)" + ("" if enforce else "; not enforced"))
    return 1 if enforce else 0


def _quiet_rasa() -> None:
    """Warnings only: at debug level Rasa logs every parsed message with its text."""
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # timings appear as steps finish
    _quiet_rasa()
    # Rasa's training cache stays with the evaluation's models, apart from `rasa train`'s.
    os.environ.setdefault("RASA_CACHE_DIRECTORY", str(args.cache / "rasa-cache"))
    if args.command == "eval" and not args.no_embedding_cache:
        # The encoder is frozen: each text is embedded once for all trainings and parses
        # (addons/encoder/cache.py; the same bytes as embedding it again).
        os.environ.setdefault(EMBEDDING_CACHE_VARIABLE, str(args.cache / "embeddings"))
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(1, str(PROJECT_ROOT))  # custom components (addons.*) by module path
    try:
        return run_eval(args) if args.command == "eval" else run_gate(args)
    except EvaluationError as error:
        print(f"nlu evaluation: {error}", file=sys.stderr)
        return 2
