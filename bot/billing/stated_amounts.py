"""An amount of money as a customer types it ("54.17", "54,17", "€54.17", "54.17 eur") in cents."""

from __future__ import annotations

import re

_STATED_AMOUNT = re.compile(
    r"(?:€|eur|euros?)?\s*(?P<whole>\d{1,7})(?:[.,](?P<cents>\d{1,2}))?\s*(?:€|eur|euros?)?",
    re.IGNORECASE,
)


def parse_stated_amount(text: str) -> int:
    """The amount in cents ("54.1" is 54.10); raises ValueError for anything else."""
    match = _STATED_AMOUNT.fullmatch(text.strip())
    if match is None or not match["whole"]:
        raise ValueError("not an amount like 54.17")
    cents = (match["cents"] or "0").ljust(2, "0")
    return int(match["whole"]) * 100 + int(cents)
