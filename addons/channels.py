"""Input channels that mask card numbers before a message enters Rasa.

A masked number never reaches NLU, the tracker store, the event broker or a log line. The channel
keeps the stock name, so the REST webhook stays at /webhooks/rest/webhook.
"""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from addons.redaction import mask_card_numbers

# A message of only whitespace has no tokens, which the embedding features cannot represent; it is
# passed on as this text instead, which the bot answers like any message it does not understand.
BLANK_MESSAGE = "(blank message)"


def clean_incoming_text(text: str) -> str:
    """The message as NLU should see it: card numbers masked, blank made explicit."""
    if not text.strip():
        return BLANK_MESSAGE
    return mask_card_numbers(text)


class MaskingRestInput(RestInput):
    """Rasa's REST channel, with card numbers masked in every incoming message."""

    def _extract_message(self, req: Request) -> str | None:
        text = super()._extract_message(req)
        return None if text is None else clean_incoming_text(text)
