"""How Rasa's messages look on each platform (addons/messaging/rendering.py): texts split within
the platform's limits, buttons in the platform's format, numbered choices where buttons run out."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addons.messaging.rendering import (
    ENGLISH_LABELS,
    MESSENGER_TEXT_LIMIT,
    SLACK_SECTION_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    WHATSAPP_BODY_LIMIT,
    Choice,
    Labels,
    buttons_of,
    messenger_messages,
    slack_escape,
    slack_messages,
    split_text,
    telegram_messages,
    whatsapp_layout,
    whatsapp_messages,
)

YES_NO = [Choice("Yes", "/affirm"), Choice("No", "/deny")]


def _words(n: int) -> str:
    rng = random.Random(n)
    return " ".join(
        rng.choice(["invoice", "line", "€54.17", "30 Nov 2026", "fee."]) for _ in range(n)
    )


@given(st.text(max_size=3000), st.integers(min_value=1, max_value=500))
def test_split_pieces_fit_and_lose_only_whitespace_at_the_cuts(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_split_prefers_paragraphs_then_sentences_then_words() -> None:
    paragraphs = "First paragraph here.\n\nSecond paragraph is here."
    assert split_text(paragraphs, 30) == ["First paragraph here.", "Second paragraph is here."]
    sentences = "One sentence is here. Another one follows it, rather long."
    assert split_text(sentences, 40) == [
        "One sentence is here.",
        "Another one follows it, rather long.",
    ]
    assert split_text("aaaa bbbb cccc", 9) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # no break: a hard cut


def test_split_of_blank_text_is_nothing_and_a_short_text_one_piece() -> None:
    assert split_text("", 10) == []
    assert split_text(" \n ", 10) == []
    assert split_text("Your balance is €54.17.", 4096) == ["Your balance is €54.17."]
    with pytest.raises(ValueError, match="positive"):
        split_text("x", 0)


def test_buttons_of_reads_buttons_or_quick_replies_and_skips_malformed_ones() -> None:
    message = {
        "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": ""}, "x", {"payload": "/p"}]
    }
    assert buttons_of(message) == [("Yes", "/affirm")]
    assert buttons_of({"quick_replies": [{"title": "No", "payload": "/deny"}]}) == [("No", "/deny")]
    assert buttons_of({"buttons": "not a list"}) == []


def test_telegram_long_text_is_split_and_the_keyboard_sits_under_the_last_piece() -> None:
    text = _words(2000)
    bodies = telegram_messages("42", text, YES_NO)
    assert len(bodies) > 1
    assert all(len(body["text"]) <= TELEGRAM_TEXT_LIMIT for body in bodies)
    assert all("reply_markup" not in body for body in bodies[:-1])
    assert bodies[-1]["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "/affirm"}],
            [{"text": "No", "callback_data": "/deny"}],
        ]
    }
    assert all(body["chat_id"] == "42" and "parse_mode" not in body for body in bodies)


def test_telegram_buttons_without_text_still_carry_a_text() -> None:
    assert telegram_messages("42", "", YES_NO)[0]["text"] == "…"
    assert whatsapp_messages("1", " ", YES_NO)[0]["interactive"]["body"]["text"] == "…"
    assert messenger_messages("1", "", YES_NO)[0]["message"]["text"] == "…"
    assert slack_messages("D1", "", YES_NO)[0]["text"] == "…"
    assert telegram_messages("42", "", []) == []


def test_whatsapp_up_to_three_short_choices_are_reply_buttons() -> None:
    [body] = whatsapp_messages("38640111222", "Shall I cancel it?", YES_NO)
    assert body["messaging_product"] == "whatsapp"
    assert body["to"] == "38640111222"
    assert body["type"] == "interactive"
    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Shall I cancel it?"}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "/affirm", "title": "Yes"}},
        {"type": "reply", "reply": {"id": "/deny", "title": "No"}},
    ]


def test_whatsapp_long_text_with_buttons_ends_in_a_body_within_1024() -> None:
    bodies = whatsapp_messages("1", _words(1500), YES_NO)
    assert [b["type"] for b in bodies[:-1]] == ["text"] * (len(bodies) - 1)
    assert len(bodies[-1]["interactive"]["body"]["text"]) <= WHATSAPP_BODY_LIMIT
    assert all(len(b["text"]["body"]) <= 4096 for b in bodies[:-1])


def test_whatsapp_four_to_ten_or_long_titles_are_a_list() -> None:
    choices = [Choice(f"Call me back: tomorrow {h}:00-{h + 1}:00", f"/cb{h}") for h in range(9, 14)]
    assert whatsapp_layout(choices) == "list"
    [body] = whatsapp_messages("1", "When suits you?", choices)
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert body["interactive"]["type"] == "list"
    assert [row["id"] for row in rows] == [c.data for c in choices]
    assert all(len(row["title"]) <= 24 for row in rows)
    assert rows[0]["description"] == "Call me back: tomorrow 9:00-10:00"
    assert len(body["interactive"]["action"]["button"]) <= 20


def test_whatsapp_more_than_ten_choices_are_numbered_lines() -> None:
    choices = [Choice(f"Option {n}", f"/o{n}") for n in range(1, 13)]
    assert whatsapp_layout(choices) == "numbered"
    bodies = whatsapp_messages("1", "Pick one:", choices)
    text = "\n".join(body["text"]["body"] for body in bodies)
    assert "1. Option 1" in text
    assert "12. Option 12" in text
    assert ENGLISH_LABELS.numbered_hint in text


def test_messenger_quick_replies_on_the_last_piece_titles_within_20() -> None:
    choices = [*YES_NO, Choice("Talk to a person about it", "/talk_to_human")]
    bodies = messenger_messages("1234567890123456", _words(900), choices)
    assert len(bodies) > 1
    assert all(len(b["message"]["text"]) <= MESSENGER_TEXT_LIMIT for b in bodies)
    assert all(b["recipient"] == {"id": "1234567890123456"} for b in bodies)
    assert all(b["messaging_type"] == "RESPONSE" for b in bodies)
    replies = bodies[-1]["message"]["quick_replies"]
    assert [r["payload"] for r in replies] == ["/affirm", "/deny", "/talk_to_human"]
    assert all(r["content_type"] == "text" and len(r["title"]) <= 20 for r in replies)
    assert replies[2]["title"].endswith("…")


def test_slack_plain_text_sections_and_block_kit_buttons() -> None:
    bodies = slack_messages("D123", "Pay <now> & save", YES_NO)
    [body] = bodies
    assert body["channel"] == "D123"
    assert body["text"] == "Pay &lt;now&gt; &amp; save"  # the notification's fallback, escaped
    section, actions = body["blocks"]
    assert section == {
        "type": "section",
        "text": {"type": "plain_text", "text": "Pay <now> & save"},
    }
    assert actions["type"] == "actions"
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("Yes", "/affirm"),
        ("No", "/deny"),
    ]
    assert len({e["action_id"] for e in actions["elements"]}) == 2


def test_slack_long_text_is_split_within_a_section() -> None:
    bodies = slack_messages("D1", _words(1500), [])
    assert len(bodies) > 1
    assert all(len(b["blocks"][0]["text"]["text"]) <= SLACK_SECTION_LIMIT for b in bodies)


def test_slack_escape_only_the_three_control_characters() -> None:
    assert slack_escape("<@U1> & *bold*") == "&lt;@U1&gt; &amp; *bold*"


def test_the_rendering_s_own_words_come_from_its_labels() -> None:
    """WhatsApp's list button and the numbered hint are the conversation's language's words."""
    labels = Labels("Izberite možnost za nadaljevanje", "Odgovorite s številko svoje izbire.")
    listed = [Choice(f"Call me back: tomorrow {h}:00", f"/cb{h}") for h in range(9, 14)]
    [body] = whatsapp_messages("1", "Kdaj?", listed, labels)
    assert body["interactive"]["action"]["button"] == "Izberite možnost za…"  # 20 at most
    many = [Choice(f"Option {n}", f"/o{n}") for n in range(1, 15)]
    for bodies in (
        whatsapp_messages("1", "Izberite:", many, labels),
        messenger_messages("1", "Izberite:", many, labels),
    ):
        shown = "\n".join(str(b.get("text", b.get("message"))) for b in bodies)
        assert "Odgovorite s številko svoje izbire." in shown
        assert ENGLISH_LABELS.numbered_hint not in shown
