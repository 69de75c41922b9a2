"""Action server answers are judged as Rasa judges them, the schema not re-checked per answer."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from addons import action_response_validation

VALID: dict[str, Any] = {
    "events": [{"event": "slot", "name": "verified", "value": True, "timestamp": None}],
    "responses": [{"text": "Your balance is 42.00 EUR."}],
}
INVALID: list[dict[str, Any]] = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_answer_balance", EndpointConfig("http://127.0.0.1:1/webhook"))


def keep_rasas_method(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's method is put back after the test, whatever `install` replaced."""
    original = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", original)


def rasa_verdict(action: RemoteAction, result: dict[str, Any]) -> str:
    try:
        RemoteAction._validate_action_result(action, result)
    except ValidationError as error:
        return error.message
    return "valid"


def test_answers_get_rasas_verdict_and_its_message(
    action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [rasa_verdict(action, result) for result in [VALID, *INVALID]]
    assert expected[0] == "valid"
    assert all("Failed to validate Action server response" in text for text in expected[1:])
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    action_response_validation.install()
    assert RemoteAction._validate_action_result is action_response_validation.validate_action_result
    assert [rasa_verdict(action, result) for result in [VALID, *INVALID]] == expected


def test_the_schema_is_not_checked_again_per_answer(
    action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    action_response_validation.install()
    schema_checks: list[object] = []
    cls = validators.validator_for(RemoteAction.action_response_format_spec())
    original = cls.check_schema
    monkeypatch.setattr(
        cls, "check_schema", classmethod(lambda c, s: schema_checks.append(s) or original(s))
    )
    for _ in range(3):
        assert action._validate_action_result(VALID) is True
    assert schema_checks == []
