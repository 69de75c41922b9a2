"""The latest invoice amount, the second fact after a postcode, is stored like the date of birth:
the whole answer removed from the stored user event."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

from addons.redacting_tracker_store import redact_events
from addons.redaction import VERIFICATION_ANSWER


def _user(text: str) -> UserUttered:
    parse_data = {
        "text": text,
        "intent": {"name": "provide_verification_info", "confidence": 0.9},
        "entities": [],
    }
    return UserUttered(text, parse_data["intent"], [], parse_data)


def test_the_answer_while_the_invoice_amount_is_asked_is_removed_whole() -> None:
    events = [
        SlotSet("requested_slot", "identity_check"),
        ActionExecuted("action_listen"),
        _user("2000"),
        SlotSet("identity_check", "postcode_held"),
        SlotSet("requested_slot", "invoice_amount_check"),
        ActionExecuted("action_listen"),
        _user("it was €54,17 i think"),
        SlotSet("requested_slot", None),
        _user("what do i owe"),
    ]
    redacted = redact_events(events)
    assert redacted[2].text == VERIFICATION_ANSWER
    assert redacted[6].text == VERIFICATION_ANSWER
    assert redacted[6].parse_data["text"] == VERIFICATION_ANSWER
    assert redacted[8].text == "what do i owe"
    stored = str([event.as_dict() for event in redacted])
    assert "54,17" not in stored
    assert "'2000'" not in stored
