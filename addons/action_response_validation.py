"""Rasa checks every action server answer against its schema without re-checking the schema.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate`, which first checks
the (constant) response schema against the JSON Schema 2020-12 meta-schema and builds a new
validator, on every custom action and every form validation. Profiled with py-spy during billing
conversations that was 18 % of the Rasa process's CPU, more than the dialogue policies. This
module checks the schema once and keeps the validator; answers are judged exactly as before (same
validator class, same schema, the same best-matching error with Rasa's hint appended).

Installed by `addons/rasa_server.py` for `rasa run` only (the action server never imports it).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import exceptions, validators
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)


@cache
def response_validator() -> Validator:
    """The validator of Rasa's action response schema, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """As Rasa's `_validate_action_result`: True, or the best-matching ValidationError."""
    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += HINT
        raise error
    return True


def install() -> None:
    """Replace Rasa's per-call schema check with the cached validator (idempotent)."""
    response_validator()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
