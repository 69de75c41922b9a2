"""NLU evaluation: held-out sets, a third-party dev set, cross-validation, seed spread, CI gates.

Runs on .venv-rasa's Python with Rasa 3.6's Python API; `scripts/nlu_quality.py` is the command.
Modules, one concept each: `examples` (labelled messages), `predictions` (what a model said),
`metrics` (scores from scikit-learn), `pipeline_config` (the config under evaluation and its seeded
variants), `folds` (stratified cross-validation splits), `training` (cached NLU-only models),
`evaluation` (the runs `make eval` does), `gates` (CI minimums), `report` (table, Markdown, JSON),
`cli` (arguments, timings, the one place errors become exit codes).
"""
