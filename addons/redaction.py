"""What is never stored from a message: card numbers, full dates, verification answers."""

from __future__ import annotations

import re
from typing import Any

from actions.identity_input import DATE_PATTERNS

CARD_MASK = "[card number removed]"
CARD_CODE_MASK = "[card security code removed]"
DATE_MASK = "[date removed]"
VERIFICATION_ANSWER = "[verification answer removed]"
SENSITIVE_ENTITIES = frozenset({"date", "postcode"})
# While a form asks for one of these slots, the customer's whole answer is a secret.
SECRET_ANSWER_SLOTS = frozenset({"identity_check", "step_up_code"})

# 13-19 digits, optionally grouped by spaces or dashes, as people type card numbers.
_CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
# A card security code is only recognisable by its label: "cvv 123", "CVC: 1234".
_CARD_SECURITY_CODE = re.compile(
    r"\b(?:cvv2?|cvc2?|cv2|csc|security code)\s*(?:is|[:#=-])?\s*\d{3,4}(?!\d)", re.IGNORECASE
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_card_numbers(text: str) -> str:
    """Luhn-valid 13-19 digit numbers and labelled security codes replaced by their masks."""

    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return CARD_MASK if luhn_valid(digits) else match.group(0)

    return _CARD_SECURITY_CODE.sub(CARD_CODE_MASK, _CARD_CANDIDATE.sub(replace, text))


def mask_dates(text: str) -> str:
    for pattern in DATE_PATTERNS:
        text = pattern.sub(DATE_MASK, text)
    return text


def redact_text(text: str) -> str:
    return mask_dates(mask_card_numbers(text))


def redact_user_event(data: dict[str, Any], *, verification_answer: bool) -> dict[str, Any]:
    """A serialised `user` event with nothing sensitive left in its text, parse data or entities."""
    text = data.get("text") or ""
    clean_text = VERIFICATION_ANSWER if verification_answer else redact_text(text)
    parse_data = dict(data.get("parse_data") or {})
    entities = [
        _redact_entity(entity, verification_answer)
        for entity in parse_data.get("entities") or data.get("entities") or []
    ]
    if text:
        parse_data["text"] = clean_text
    parse_data["entities"] = entities
    return {**data, "text": clean_text if text else data.get("text"), "parse_data": parse_data}


def _redact_entity(entity: dict[str, Any], verification_answer: bool) -> dict[str, Any]:
    value = entity.get("value")
    if verification_answer or entity.get("entity") in SENSITIVE_ENTITIES:
        return {**entity, "value": "[removed]"}
    if isinstance(value, str):
        return {**entity, "value": redact_text(value)}
    return entity
