"""Contacts shown masked, so the customer recognises them and nobody else learns them; card
details, dates and postcodes removed from text that is stored (desk transcripts, tickets).

mask_email("ana.novak@example.com") -> "a***@example.com"
mask_phone("+386 40 001 123")       -> "+386 *** *** 123"
mask_card_numbers("card 4111 1111 1111 1111 ok") -> "card [card number removed] ok"

The text rules are `privacy.masking`'s, the same code the Rasa side runs.
"""

from __future__ import annotations

from privacy.masking import CARD_CODE_MASK, CARD_MASK, DATE_MASK, POSTCODE_MASK, mask
from privacy.masking import mask_card_details as mask_card_numbers

__all__ = [
    "CARD_CODE_MASK",
    "CARD_MASK",
    "DATE_MASK",
    "POSTCODE_MASK",
    "mask",
    "mask_card_numbers",
    "mask_email",
    "mask_phone",
]


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
