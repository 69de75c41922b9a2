"""Contacts shown masked, so the customer recognises them and nobody else learns them; card
numbers removed from text that is stored (desk transcripts).

mask_email("ana.novak@example.com") -> "a***@example.com"
mask_phone("+386 40 001 123")       -> "+386 *** *** 123"
mask_card_numbers("card 4111 1111 1111 1111 ok") -> "card [card number removed] ok"
"""

from __future__ import annotations

import re
from typing import Final

CARD_MASK: Final = "[card number removed]"  # the same words as the Rasa side (addons/redaction.py)
# 13-19 digits, optionally grouped by spaces or dashes, as people type card numbers.
_CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def mask_email(address: str) -> str:
    """First character of the local part, `***`, then the domain."""
    local, _, domain = address.strip().partition("@")
    if not local or not domain:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_phone(number: str) -> str:
    """The country code (when written with `+`), `*** ***`, and the last three digits."""
    text = number.strip()
    digits = "".join(char for char in text if char.isdigit())
    if len(digits) < 6:
        return "***"
    first = text.split()[0] if text.startswith("+") and " " in text else None
    prefix = f"{first} " if first and len(first) <= 5 else ""
    return f"{prefix}*** *** {digits[-3:]}"


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check that card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_card_numbers(text: str) -> str:
    """`text` with every Luhn-valid 13-19 digit number replaced by CARD_MASK."""

    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return CARD_MASK if luhn_valid(digits) else match.group(0)

    return _CARD_CANDIDATE.sub(replace, text)
