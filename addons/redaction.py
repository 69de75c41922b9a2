"""What is never stored from a message: card details, dates, postcodes, verification answers.

The text rules live in `privacy.masking` (one implementation for both runtimes); this module
applies them to Rasa's serialised `user` events, and names what the dialogue treats as secret.
"""

from __future__ import annotations

from typing import Any

from privacy.masking import (
    CARD_CODE_MASK,
    CARD_MASK,
    DATE_MASK,
    POSTCODE_MASK,
    SECRET_ANSWER_SLOTS,
    luhn_valid,
    mask,
    mask_card_details,
)
from privacy.masking import VERIFICATION_ANSWER_MASK as VERIFICATION_ANSWER

__all__ = [
    "CARD_CODE_MASK",
    "CARD_MASK",
    "DATE_MASK",
    "POSTCODE_MASK",
    "SECRET_ANSWER_SLOTS",
    "SENSITIVE_ENTITIES",
    "VERIFICATION_ANSWER",
    "luhn_valid",
    "mask_card_numbers",
    "redact_text",
    "redact_user_event",
]

ENTITY_MASK = "[removed]"
# Entities whose value is a secret, and the mask their words get in the message text.
SENSITIVE_ENTITIES = {"date": DATE_MASK, "postcode": POSTCODE_MASK}

# The channels mask card details before NLU; dates and postcodes stay until the turn is saved,
# because the verification actions read them from the text.
mask_card_numbers = mask_card_details
redact_text = mask


def redact_user_event(data: dict[str, Any], *, verification_answer: bool) -> dict[str, Any]:
    """A serialised `user` event with nothing sensitive left in its text, parse data or entities."""
    text = data.get("text") or ""
    parse_data = dict(data.get("parse_data") or {})
    entities = parse_data.get("entities") or data.get("entities") or []
    if verification_answer:
        clean_text = VERIFICATION_ANSWER
    else:
        clean_text = mask(_mask_entity_words(text, entities))
    if text:
        parse_data["text"] = clean_text
    parse_data["entities"] = [_redact_entity(entity, verification_answer) for entity in entities]
    return {**data, "text": clean_text if text else data.get("text"), "parse_data": parse_data}


def _mask_entity_words(text: str, entities: list[dict[str, Any]]) -> str:
    """The words NLU read as a date or postcode masked, even without a label ("990700 7071")."""
    spans = sorted(
        (entity["start"], entity["end"], SENSITIVE_ENTITIES[entity["entity"]])
        for entity in entities
        if entity.get("entity") in SENSITIVE_ENTITIES
        and isinstance(entity.get("start"), int)
        and isinstance(entity.get("end"), int)
        and 0 <= entity["start"] < entity["end"] <= len(text)
    )
    limit = len(text)
    for start, end, replacement in reversed(spans):
        if end <= limit:  # an entity overlapping the one after it is covered by that one
            text = text[:start] + replacement + text[end:]
            limit = start
    return text


def _redact_entity(entity: dict[str, Any], verification_answer: bool) -> dict[str, Any]:
    value = entity.get("value")
    if verification_answer or entity.get("entity") in SENSITIVE_ENTITIES:
        return {**entity, "value": ENTITY_MASK}
    if isinstance(value, str):
        return {**entity, "value": mask(value)}
    return entity
