from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

from addons.redacting_tracker_store import redact_events
from addons.redaction import (
    CARD_CODE_MASK,
    CARD_MASK,
    DATE_MASK,
    VERIFICATION_ANSWER,
    luhn_valid,
    redact_text,
)


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_card_numbers_are_masked_in_any_grouping() -> None:
    assert redact_text("my card is 4111 1111 1111 1111 ok") == f"my card is {CARD_MASK} ok"
    assert redact_text("5500-0000-0000-0004") == CARD_MASK
    assert redact_text("378282246310005") == CARD_MASK  # 15-digit Amex


def test_labelled_security_codes_are_masked() -> None:
    assert redact_text("4111111111111111 cvv 123") == f"{CARD_MASK} {CARD_CODE_MASK}"
    assert redact_text("CVC: 1234 and exp 04/28") == f"{CARD_CODE_MASK} and exp 04/28"
    assert redact_text("the security code is 987") == f"the {CARD_CODE_MASK}"
    assert redact_text("I paid 123 euros, cvv unknown") == "I paid 123 euros, cvv unknown"


def test_numbers_that_are_not_cards_stay() -> None:
    assert (
        redact_text("account 100001, invoice 4111111111111112")
        == "account 100001, invoice 4111111111111112"
    )


def test_full_dates_are_masked() -> None:
    assert redact_text("born 14.3.1985 in Ljubljana") == f"born {DATE_MASK} in Ljubljana"
    assert redact_text("March 14th 85") == DATE_MASK
    assert redact_text("my October bill") == "my October bill"


def user(text: str, entities: list[dict] | None = None) -> UserUttered:
    parse_data = {
        "text": text,
        "intent": {"name": "provide_verification_info", "confidence": 0.9},
        "entities": entities or [],
    }
    return UserUttered(text, parse_data["intent"], entities or [], parse_data)


def test_the_answer_to_the_identity_question_is_removed_whole() -> None:
    events = [
        SlotSet("requested_slot", "identity_check"),
        ActionExecuted("action_listen"),
        user("it's 1000", [{"entity": "postcode", "value": "1000", "start": 5, "end": 9}]),
        SlotSet("requested_slot", None),
        user("and my account 100001"),
    ]
    redacted = redact_events(events)
    answer = redacted[2]
    assert isinstance(answer, UserUttered)
    assert answer.text == VERIFICATION_ANSWER
    assert answer.parse_data["text"] == VERIFICATION_ANSWER
    assert answer.entities[0]["value"] == "[removed]"
    assert answer.intent_name == "provide_verification_info"
    assert redacted[4].text == "and my account 100001"
    assert "1000" not in str([event.as_dict() for event in redacted[:4]])


def test_redaction_keeps_every_event_and_its_order() -> None:
    events = [ActionExecuted("action_listen"), user("card 4111111111111111"), SlotSet("x", 1)]
    redacted = redact_events(events)
    assert [type(event) for event in redacted] == [ActionExecuted, UserUttered, SlotSet]
    assert redacted[1].text == f"card {CARD_MASK}"
    assert redacted[1].timestamp == events[1].timestamp
