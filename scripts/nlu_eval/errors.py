"""Errors of the NLU evaluation; `cli.main` turns each into a message and exit code 2.

EvaluationError
 +-- MissingInput      a data set, config, model or gates file is not there
 +-- InvalidInput      a file is there but cannot be used (no intents, bad gates, too few examples)
 +-- TrainingFailed    Rasa returned no model
"""

from __future__ import annotations


class EvaluationError(Exception):
    """Base of every error the evaluation reports to the user."""


class MissingInput(EvaluationError):
    """A file the evaluation needs does not exist."""


class InvalidInput(EvaluationError):
    """A file exists but its content cannot be evaluated."""


class TrainingFailed(EvaluationError):
    """Rasa produced no model for a training run."""
