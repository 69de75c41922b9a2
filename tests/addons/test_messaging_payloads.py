"""What each channel takes from the platform's webhook JSON (the platforms' documented payloads):
which deliveries are customer messages, their ids, conversations, texts and locale, and which are
not messages at all (statuses, echoes, edits, bots, groups)."""

from __future__ import annotations

from typing import Any

import pytest

from addons.messaging.base import BadPayload, Incoming, MessagingInput, is_stale
from addons.messaging.deliveries import DELIVERY_TTL_S, InMemoryChannelMemory
from addons.messaging.facebook import MessengerInput, psid_of
from addons.messaging.settings import channel_settings
from addons.messaging.slack import SlackInput, channel_of
from addons.messaging.telegram import TelegramInput, chat_of
from addons.messaging.whatsapp import WhatsAppInput, address_of
from addons.secure_start import check_channel_secrets


def channel(kind: type[MessagingInput]) -> MessagingInput:
    env: dict[str, str] = {}
    check_channel_secrets(env)  # the development values
    return kind(channel_settings(kind.name(), env), InMemoryChannelMemory())


def parse(kind: type[MessagingInput], body: Any) -> list[Incoming]:
    return channel(kind).parse(None, body).messages  # type: ignore[arg-type]


def telegram_update(**fields: Any) -> dict[str, Any]:
    return {"update_id": 10000, **fields}


TG_USER = {"id": 1111111, "is_bot": False, "first_name": "Ana", "language_code": "sl"}
TG_CHAT = {"id": 1111111, "first_name": "Ana", "type": "private"}


def test_telegram_message_with_locale() -> None:
    message = {
        "message_id": 1,
        "from": TG_USER,
        "chat": TG_CHAT,
        "date": 1,
        "text": "koliko dolgujem?",
    }
    [incoming] = parse(TelegramInput, telegram_update(message=message))
    assert incoming == Incoming("10000", "telegram-1111111", "koliko dolgujem?", "sl")
    assert chat_of(incoming.conversation_id) == "1111111"


def test_telegram_start_is_a_greeting_and_a_sticker_is_no_text() -> None:
    start = {"message_id": 1, "from": TG_USER, "chat": TG_CHAT, "date": 1, "text": "/start ref42"}
    assert parse(TelegramInput, telegram_update(message=start))[0].text == "hi"
    sticker = {"message_id": 2, "from": TG_USER, "chat": TG_CHAT, "date": 1, "sticker": {}}
    assert parse(TelegramInput, telegram_update(message=sticker))[0].text is None


def test_telegram_button_tap_carries_its_callback_data() -> None:
    query = {
        "id": "4382bfdwdsb323b2d9",
        "from": TG_USER,
        "data": "/affirm",
        "chat_instance": "1",
        "message": {"message_id": 5, "chat": TG_CHAT, "date": 1, "text": "Sure?"},
    }
    [incoming] = parse(TelegramInput, telegram_update(callback_query=query))
    assert incoming.text == "/affirm"
    assert incoming.extra == {"callback_query_id": "4382bfdwdsb323b2d9"}


def test_telegram_groups_edits_and_channel_posts_are_not_answered() -> None:
    group = {**TG_CHAT, "id": -1001234, "type": "supergroup"}
    text = {"message_id": 1, "from": TG_USER, "chat": group, "date": 1, "text": "balance?"}
    assert parse(TelegramInput, telegram_update(message=text)) == []
    assert parse(TelegramInput, telegram_update(edited_message={**text, "chat": TG_CHAT})) == []
    assert parse(TelegramInput, telegram_update(channel_post=text)) == []


@pytest.mark.parametrize("body", [[], {"message": {}}, {"update_id": "1"}, {"update_id": True}])
def test_telegram_body_without_an_update_id_is_bad(body: Any) -> None:
    with pytest.raises(BadPayload):
        parse(TelegramInput, body)


def whatsapp(value: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }


def test_whatsapp_text_list_and_button_replies() -> None:
    messages = [
        {
            "from": "38640111222",
            "id": "wamid.A",
            "timestamp": "1",
            "type": "text",
            "text": {"body": "hi"},
        },
        {
            "from": "38640111222",
            "id": "wamid.B",
            "timestamp": "1",
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": {"id": "/cb9", "title": "9-10"}},
        },
        {
            "from": "38640111222",
            "id": "wamid.C",
            "timestamp": "1",
            "type": "image",
            "image": {"id": "1", "mime_type": "image/jpeg"},
        },
    ]
    found = parse(WhatsAppInput, whatsapp({"messages": messages}))
    assert [(m.delivery_id, m.text) for m in found] == [
        ("wamid.A", "hi"),
        ("wamid.B", "/cb9"),
        ("wamid.C", None),
    ]
    assert {m.conversation_id for m in found} == {"whatsapp-106540352242922-38640111222"}
    assert address_of(found[0].conversation_id) == ("106540352242922", "38640111222")


def test_whatsapp_status_updates_are_not_messages_and_other_objects_are_bad() -> None:
    statuses = [{"id": "wamid.A", "status": "delivered", "timestamp": "1", "recipient_id": "1"}]
    assert parse(WhatsAppInput, whatsapp({"statuses": statuses})) == []
    with pytest.raises(BadPayload):
        parse(WhatsAppInput, {"object": "page", "entry": []})
    odd = [{"from": "386-40", "id": "wamid.D", "type": "text", "text": {"body": "hi"}}]
    with pytest.raises(BadPayload):
        parse(WhatsAppInput, whatsapp({"messages": odd}))


def messenger(*events: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": list(events)}]}


def test_messenger_text_quick_reply_and_postback() -> None:
    sender = {"sender": {"id": "1254459154682919"}, "recipient": {"id": "PAGE"}, "timestamp": 1}
    found = parse(
        MessengerInput,
        messenger(
            {**sender, "message": {"mid": "m_1", "text": "hi"}},
            {
                **sender,
                "message": {"mid": "m_2", "text": "Yes", "quick_reply": {"payload": "/affirm"}},
            },
            {**sender, "postback": {"mid": "m_3", "title": "Start", "payload": "/greet"}},
            {**sender, "message": {"mid": "m_4", "is_echo": True, "text": "our own reply"}},
            {**sender, "delivery": {"mids": ["m_1"], "watermark": 1}},
        ),
    )
    assert [(m.delivery_id, m.text) for m in found] == [
        ("m_1", "hi"),
        ("m_2", "/affirm"),
        ("m_3", "/greet"),
    ]
    assert psid_of(found[0].conversation_id) == "1254459154682919"


def slack_event(**event: Any) -> dict[str, Any]:
    base = {
        "type": "message",
        "channel": "D024BE91L",
        "user": "U2147483697",
        "text": "hi",
        "ts": "1355517523.000005",
        "channel_type": "im",
    }
    return {
        "type": "event_callback",
        "event_id": "Ev08MFMKH6",
        "team_id": "T1",
        "event": {**base, **event},
    }


def test_slack_direct_message_is_a_message() -> None:
    [incoming] = parse(SlackInput, slack_event())
    assert incoming == Incoming("Ev08MFMKH6", "slack-D024BE91L-U2147483697", "hi")
    assert channel_of(incoming.conversation_id) == "D024BE91L"


@pytest.mark.parametrize(
    "event",
    [
        {"bot_id": "B1", "subtype": "bot_message"},  # a bot, ourselves included
        {"bot_id": "B1"},
        {"subtype": "message_changed"},
        {"channel_type": "channel"},  # a shared channel
        {"type": "app_mention", "channel_type": None},
    ],
)
def test_slack_bots_edits_and_shared_channels_are_not_answered(event: dict[str, Any]) -> None:
    assert parse(SlackInput, slack_event(**event)) == []


def test_slack_button_tap_and_url_verification() -> None:
    tap = {
        "type": "block_actions",
        "user": {"id": "U2147483697"},
        "channel": {"id": "D024BE91L"},
        "actions": [
            {"type": "button", "value": "/deny", "action_ts": "1.2", "action_id": "choice-1"}
        ],
    }
    [incoming] = parse(SlackInput, tap)
    assert (incoming.conversation_id, incoming.text) == ("slack-D024BE91L-U2147483697", "/deny")
    verification = channel(SlackInput).parse(None, {"type": "url_verification", "challenge": "c"})  # type: ignore[arg-type]
    assert verification.messages == []
    assert verification.answer is not None
    assert verification.answer.body == b'{"challenge":"c"}'


async def test_long_payloads_travel_as_references_and_numbers_pick_options() -> None:
    telegram = channel(TelegramInput)
    payload = '/choose_option{"option": "' + "x" * 80 + '"}'
    data = await telegram.data_for(payload, 64)
    assert len(data.encode()) <= 64
    assert data != payload
    incoming = Incoming("1", "telegram-1", data)
    assert await telegram._resolve(incoming, data) == payload
    assert await telegram.data_for("/affirm", 64) == "/affirm"

    await telegram.remember_options("telegram-1", ["/a", "/b", "/c"])
    assert await telegram._resolve(incoming, "2") == "/b"
    assert await telegram._resolve(incoming, "2") == "2"  # the options were for one answer
    await telegram.remember_options("telegram-1", ["/a"])
    assert await telegram._resolve(incoming, "7") == "7"


def test_meta_messages_carry_when_they_were_sent_and_old_ones_are_stale() -> None:
    """A signed Meta body dates its messages; one older than the de-duplication memory is a
    replay (or a retry after a long outage) that could be answered twice: not handled."""
    message = {"from": "38640111222", "id": "wamid.1", "timestamp": "1700000000", "type": "text"}
    value = {
        "metadata": {"phone_number_id": "1065"},
        "messages": [{**message, "text": {"body": "yes"}}],
    }
    notification = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"value": value}]}],
    }
    [whatsapp] = parse(WhatsAppInput, notification)
    assert whatsapp.sent_at == 1_700_000_000
    event = {
        "sender": {"id": "123"},
        "timestamp": 1_700_000_000_500,
        "message": {"mid": "m.1", "text": "yes"},
    }
    [messenger] = parse(MessengerInput, {"object": "page", "entry": [{"messaging": [event]}]})
    assert messenger.sent_at == 1_700_000_000.5
    for incoming in (whatsapp, messenger):
        assert not is_stale(incoming, 1_700_000_000 + 60)
        assert is_stale(incoming, 1_700_000_001 + DELIVERY_TTL_S)
    odd = {**message, "timestamp": "soon", "text": {"body": "yes"}}
    [undated] = parse(
        WhatsAppInput,
        {**notification, "entry": [{"changes": [{"value": {**value, "messages": [odd]}}]}]},
    )
    assert undated.sent_at is None
    assert not is_stale(undated, 10**12)
