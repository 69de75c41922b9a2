"""What every channel accepts from a customer, before anything reaches NLU.

One rule for the REST and the socket.io channel: a message is a string of at most
`MAX_MESSAGE_CHARS` characters (default 2000; 0 switches the cap off). A longer message is refused
with a short answer and never handed to Rasa, so it reaches neither NLU, the tracker store nor a log
(one 100 KB message once made a Rasa process grow to 16 GB). Refusing rather than cutting: a cut
message would be understood as something the customer did not quite say.

Also here: the client's address for the message metadata (`client_address`), taken from the
connection's peer, or from `X-Forwarded-For` only when the peer is one of `TRUSTED_PROXIES`.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from i18n import normalise_language, translator

MAX_CHARS_VARIABLE = "MAX_MESSAGE_CHARS"
DEFAULT_MAX_CHARS = 2000
TRUSTED_PROXIES_VARIABLE = "TRUSTED_PROXIES"
CLIENT_ADDRESS_KEY = "client_address"

# The channel's own answers. They are not dialogue (the message never reaches Rasa): their texts
# are in the bot catalogue (i18n/locales/<lang>/LC_MESSAGES/bot.po) under these keys, in the
# language the message's metadata names (the website's `language`, a channel's `locale`).
TOO_LONG_KEY = "channel.too_long"
NOT_TEXT_KEY = "channel.not_text"
FAILURE_KEY = "channel.failure"


def metadata_language(metadata: Mapping[str, Any] | None) -> str | None:
    """The language the message's metadata names: the website's `language`, a channel's `locale`."""
    if not isinstance(metadata, Mapping):
        return None
    return normalise_language(metadata.get("language")) or normalise_language(
        metadata.get("locale")
    )


def reply_text(key: str, metadata: Mapping[str, Any] | None = None, **values: Any) -> str:
    """A channel answer in the language the metadata names, English otherwise."""
    return translator("bot", metadata_language(metadata)).text(key, **values)


# The English texts, for callers that have no metadata.
TOO_LONG_REPLY = (
    "That message is too long for me: please send up to {limit:,} characters, or split it."
)
NOT_TEXT_REPLY = "I can only read text messages: please type your question."


class IncomingMessageError(ValueError):
    """A message the channel refuses; `code` is stable for clients, the text is for people."""

    code = "invalid_message"


class NotText(IncomingMessageError):
    code = "message_not_a_string"


class MessageTooLong(IncomingMessageError):
    code = "message_too_long"

    def __init__(self, limit: int) -> None:
        super().__init__(f"message longer than {limit} characters")
        self.limit = limit

    @property
    def reply(self) -> str:
        return self.reply_in(None)

    def reply_in(self, metadata: Mapping[str, Any] | None) -> str:
        return reply_text(TOO_LONG_KEY, metadata, limit=self.limit)


class BadRequest(IncomingMessageError):
    """A request body that is not a message at all (wrong JSON shape)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def max_message_chars() -> int | None:
    """The configured cap, or None when it is switched off (`MAX_MESSAGE_CHARS=0`)."""
    raw = os.environ.get(MAX_CHARS_VARIABLE, "").strip()
    try:
        limit = int(raw) if raw else DEFAULT_MAX_CHARS
    except ValueError:
        limit = DEFAULT_MAX_CHARS
    return limit if limit > 0 else None


def check_text(text: object) -> str:
    """The rule every channel applies: a string within the cap, or a typed refusal."""
    if not isinstance(text, str):
        raise NotText("message must be a string")
    limit = max_message_chars()
    if limit is not None and len(text) > limit:
        raise MessageTooLong(limit)
    return text


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str
    metadata: dict[str, Any]


# Conversation ids of the messaging channels (addons/messaging/: "telegram-<chat_id>",
# "whatsapp-<phone_number_id>-<wa_id>", ...) and their input channel names. They are derived from
# platform ids (a Telegram user id, a phone number), so anybody could write them: only a signed
# webhook may address such a conversation, never a REST or socket.io client choosing its own id.
MESSAGING_CHANNELS: Final = ("telegram", "whatsapp", "facebook", "slack")


def is_messaging_conversation(conversation_id: str) -> bool:
    """True for an id in a messaging channel's namespace (compared case-blind and trimmed, as a
    client could vary either)."""
    given = conversation_id.strip().lower()
    return any(given.startswith(f"{name}-") for name in MESSAGING_CHANNELS)


def check_rest_body(body: object) -> RestMessage:
    """The REST body: `sender` and `message` strings, `metadata` an object if given."""
    if not isinstance(body, dict):
        raise BadRequest("body_not_an_object", 'send a JSON object {"sender": ..., "message": ...}')
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest("sender_missing", "sender must be a non-empty string")
    if is_messaging_conversation(sender):
        raise BadRequest("sender_reserved", "this sender belongs to a messaging channel")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("metadata_not_an_object", "metadata must be a JSON object")
    return RestMessage(sender, check_text(body.get("message")), dict(metadata or {}))


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in os.environ.get(TRUSTED_PROXIES_VARIABLE, "").replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return networks


def _is_trusted(address: str, proxies: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The customer's address: the peer, or the nearest untrusted hop a trusted proxy reports."""
    proxies = _trusted_proxies()
    if not peer or not forwarded_for or not _is_trusted(peer, proxies):
        return peer or None
    # Walk right to left: each trusted proxy vouches for the hop before it.
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            return hop if _valid_ip(hop) else peer
    return hops[0] if hops else peer


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def with_client_address(metadata: Mapping[str, Any], address: str | None) -> dict[str, Any]:
    """The metadata with the channel's `client_address` (a client cannot set it itself)."""
    merged = {key: value for key, value in metadata.items() if key != CLIENT_ADDRESS_KEY}
    if address:
        merged[CLIENT_ADDRESS_KEY] = address
    return merged
