"""The channels' own answers (before Rasa) follow the language the message's metadata names."""

from __future__ import annotations

from addons.channels import FAILURE_REPLY
from addons.incoming import (
    FAILURE_KEY,
    NOT_TEXT_KEY,
    NOT_TEXT_REPLY,
    TOO_LONG_REPLY,
    MessageTooLong,
    reply_text,
)


def test_the_english_constants_are_the_catalogue_s_english() -> None:
    assert reply_text(NOT_TEXT_KEY) == NOT_TEXT_REPLY
    assert reply_text(FAILURE_KEY) == FAILURE_REPLY
    assert MessageTooLong(2000).reply == TOO_LONG_REPLY.format(limit=2000)


def test_the_website_s_language_and_a_channel_locale_choose_slovenian() -> None:
    too_long = MessageTooLong(2000)
    assert too_long.reply_in({"language": "sl"}) == (
        "To sporočilo je zame predolgo: pošljite največ 2000 znakov ali ga razdelite."
    )
    assert reply_text(NOT_TEXT_KEY, {"locale": "sl-SI"}).startswith("Berem lahko le besedilna")
    assert reply_text(FAILURE_KEY, {"locale": "en-US"}) == FAILURE_REPLY


def test_odd_metadata_reads_english() -> None:
    for metadata in (None, {}, {"language": 5}, {"locale": ["sl"]}, {"language": "x" * 10_000}):
        assert reply_text(NOT_TEXT_KEY, metadata) == NOT_TEXT_REPLY  # type: ignore[arg-type]
