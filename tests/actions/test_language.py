"""The conversation's language: where it comes from, and that every answer follows it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionExplainInvoice, ActionTellBalance
from actions.arrangements import Choice
from actions.identity_input import parse_date
from actions.language import ActionChooseLanguage, choose_language
from actions.language_detection import detect_language
from actions.speech import plural, speaking
from actions.verification import ActionAskAccountNumber
from tests.actions.conftest import VERIFIED_SLOTS, make_tracker, run_action
from tests.actions.fake_backend import FakeBackend

SLOVENIAN = {**VERIFIED_SLOTS, "language": "sl"}


def tracker_with(
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    earlier: list[str] = (),  # type: ignore[assignment]
) -> Any:
    tracker = make_tracker(text, intent, entities=entities, slots=slots)
    tracker.latest_message["metadata"] = metadata or {}
    tracker.events[:0] = [{"event": "user", "text": t, "parse_data": {}} for t in earlier]
    return tracker


async def chosen(tracker: Any) -> list[dict[str, Any]]:
    return list(await ActionChooseLanguage().run(CollectingDispatcher(), tracker, {}))


async def test_the_customer_asks_for_a_language() -> None:
    asks = tracker_with(
        "lahko po slovensko?", "change_language", [{"entity": "language", "value": "sl"}]
    )
    assert await chosen(asks) == [SlotSet("language", "sl")]
    back = tracker_with(
        "English please",
        "change_language",
        [{"entity": "language", "value": "English"}],
        slots={"language": "sl"},
    )
    assert await chosen(back) == [SlotSet("language", "en")]


async def test_a_switch_without_a_named_language_means_the_other_one() -> None:
    assert await chosen(tracker_with("switch language", "change_language")) == [
        SlotSet("language", "sl")
    ]
    assert await chosen(
        tracker_with("drug jezik", "change_language", slots={"language": "sl"})
    ) == [SlotSet("language", "en")]


async def test_a_chosen_language_stays_whatever_the_next_messages_look_like() -> None:
    tracker = tracker_with(
        "what do I owe?", "ask_balance", slots={"language": "sl"}, metadata={"locale": "en-US"}
    )
    assert await chosen(tracker) == []


async def test_the_website_page_and_the_channel_locale_set_it() -> None:
    assert await chosen(tracker_with("hi", "greet", metadata={"language": "sl"})) == [
        SlotSet("language", "sl")
    ]
    assert await chosen(tracker_with("zdravo", "greet", metadata={"locale": "en-GB"})) == [
        SlotSet("language", "en")
    ]
    # An unsupported locale says nothing; the text decides.
    assert await chosen(
        tracker_with("koliko dolgujem za zadnji račun?", "ask_balance", metadata={"locale": "de"})
    ) == [SlotSet("language", "sl")]


async def test_detected_from_the_first_messages_when_nothing_else_says() -> None:
    assert await chosen(tracker_with("zakaj je moj račun višji?", "bill_higher_than_usual")) == [
        SlotSet("language", "sl")
    ]
    assert await chosen(tracker_with("why is my bill higher this month?", "x")) == [
        SlotSet("language", "en")
    ]


async def test_too_little_text_leaves_it_open_and_later_messages_decide() -> None:
    assert await chosen(tracker_with("ok", "affirm")) == []
    assert await chosen(tracker_with("100001", "provide_account_number")) == []
    assert await chosen(tracker_with("/ask_balance", "ask_balance")) == []
    later = tracker_with("kdaj moram plačati", "ask_due_date", earlier=["ok", "zdravo"])
    assert await chosen(later) == [SlotSet("language", "sl")]


@pytest.mark.parametrize(
    "text", ["", " ", "12345678", "€€€", "a" * 100_000, "<script>alert(1)</script>", "🙂🙂🙂"]
)
def test_odd_input_never_fails_detection(text: str) -> None:
    assert detect_language(text) in (None, "en", "sl")


def moved_between_pages(pages: list[str], slots: dict[str, Any]) -> Any:
    """A website conversation whose messages were written on these pages, the last one latest."""
    tracker = tracker_with("hello", "greet", slots=slots, metadata={"page": pages[-1]})
    tracker.events[:0] = [
        {"event": "user", "text": "hi", "parse_data": {}, "metadata": {"page": page}}
        for page in pages[:-1]
    ]
    tracker.events[-1]["metadata"] = {"page": pages[-1]}  # the latest message's own event
    return tracker


async def test_following_the_page_language_link_switches_the_conversation() -> None:
    to_english = moved_between_pages(["sl", "en"], slots={"language": "sl"})
    assert choose_language(to_english) == ("en", "page")
    assert await chosen(to_english) == [SlotSet("language", "en")]
    to_slovenian = moved_between_pages(["en", "sl"], slots={"language": "en"})
    assert await chosen(to_slovenian) == [SlotSet("language", "sl")]


async def test_staying_on_a_page_keeps_a_language_the_customer_asked_for() -> None:
    # On /sl/ the customer asked for English: the page's language does not take it back.
    stays = moved_between_pages(["sl", "sl"], slots={"language": "en"})
    assert await chosen(stays) == []
    # A first message, or one from a channel without pages, is no switch either.
    assert await chosen(moved_between_pages(["en"], slots={"language": "sl"})) == []


async def test_the_english_page_leaves_the_language_to_detection() -> None:
    slovenian = tracker_with("zivjo, kolk mam za placat?", "ask_balance", metadata={"page": "en"})
    assert choose_language(slovenian) == ("sl", "detected")


def test_choose_language_names_its_source() -> None:
    assert choose_language(tracker_with("x", metadata={"language": "sl"})) == ("sl", "metadata")


async def balance_in(language: str, backend: FakeBackend) -> list[str]:
    dispatcher = CollectingDispatcher()
    slots = {**VERIFIED_SLOTS, "language": language}
    tracker = make_tracker("koliko dolgujem", "ask_balance", slots=slots)
    await ActionTellBalance(backend.client()).run(dispatcher, tracker, {})
    return [m["text"] for m in dispatcher.messages]


async def test_the_balance_in_slovenian(backend: FakeBackend) -> None:
    assert await balance_in("sl", backend) == [
        "Vaše stanje je 54,17 €, rok plačila je 30. 11. 2026.",
        "Zadnji račun INV-100001-202610: 54,17 €, rok plačila 30. 11. 2026 (odprt).\n"
        "Vaše zadnje plačilo: 36,48 € dne 20. 10. 2026.",
    ]
    assert [r.headers["Accept-Language"] for r in backend.requests] == ["sl"]


async def test_english_is_asked_for_in_english(backend: FakeBackend) -> None:
    said = await balance_in("en", backend)
    assert said[0] == "Your balance is 54.17 EUR, due by 30 Nov 2026."
    assert [r.headers["Accept-Language"] for r in backend.requests] == ["en"]


async def test_the_invoice_line_by_line_in_slovenian(backend: FakeBackend) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("razloži račun", "explain_bill", slots=SLOVENIAN)
    action = ActionExplainInvoice(backend.client())
    action.today = lambda: date(2026, 11, 27)  # type: ignore[method-assign]
    await action.run(dispatcher, tracker, {})
    said = [m["text"] for m in dispatcher.messages]
    assert said[0] == "Račun INV-100001-202610 za oktober 2026, rok plačila 30. 11. 2026 (odprt):"
    assert said[1].splitlines()[0::2] == [
        "• Fiber 300, oktober 2026: 39,90 €",
        "• Dodatni prenos podatkov, 3 GB: 4,50 €",
        "• DDV 22 %: 9,77 €",
    ]
    assert said[2] == "Skupaj: 54,17 €"


async def test_buttons_and_questions_follow_the_language() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("", "ask_balance", slots={"language": "sl"})
    await ActionAskAccountNumber().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("Preden pogledam vaš račun")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Premakni rok plačila za 1 dan"),
        (2, "Premakni rok plačila za 2 dneva"),
        (3, "Premakni rok plačila za 3 dni"),
        (5, "Premakni rok plačila za 5 dni"),
        (14, "Premakni rok plačila za 14 dni"),
    ],
)
def test_plural_forms_come_from_the_catalogue(count: int, expected: str) -> None:
    with speaking("sl"):
        assert Choice("extend_due_date", count).title() == expected
        assert plural("unit.days", count) == expected.removeprefix("Premakni rok plačila za ")


@pytest.mark.parametrize(
    "written",
    ["14. 3. 1985", "14.3.1985", "14. marec 1985", "14. marca 1985", "rojena sem 14. marca 1985",
     "14.03.1985", "14 03 1985", "14031985"],
)  # fmt: skip
def test_dates_of_birth_as_slovenians_write_them(written: str) -> None:
    assert parse_date(written, today=date(2026, 11, 27)) == date(1985, 3, 14)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("1. januarja 1970", date(1970, 1, 1)), ("5. maj 1990", date(1990, 5, 5)),
     ("9. avgusta 1961", date(1961, 8, 9)), ("31. oktobra 1960", date(1960, 10, 31)),
     ("2. decembra 2001", date(2001, 12, 2)), ("30. februarja 1985", None), ("14. 13. 1985", None)],
)  # fmt: skip
def test_slovenian_month_names(written: str, expected: date | None) -> None:
    assert parse_date(written, today=date(2026, 11, 27)) == expected


async def test_a_person_and_a_callback_in_slovenian_and_the_ticket_says_so() -> None:
    from actions.handoff import ActionBookCallback, ActionHandOff
    from tests.actions.test_handoff import FakeDesk

    desk = FakeDesk()
    queued = await run_action(
        ActionHandOff(desk.client()),
        make_tracker("želim govoriti z osebo", "talk_to_human", slots=SLOVENIAN),
    )
    assert queued[1][0][0] == (
        "Povezujem vas s sodelavcem iz naše ekipe za obračun. Videl bo ta pogovor in vaš račun,"
        " zato vam ne bo treba ničesar ponavljati. Ste 2. v čakalni vrsti."
        " Čakali boste približno 2 minuti. Ostanite na tej strani; odgovori bodo prikazani tukaj."
    )
    assert desk.opened()["language"] == "sl"
    assert desk.received[0]  # the ticket went out once

    long_wait = FakeDesk()
    long_wait.ticket.update(callback_offered=True, estimated_wait_seconds=1500)
    _, said = await run_action(
        ActionHandOff(long_wait.client()),
        make_tracker("oseba prosim", "talk_to_human", slots=SLOVENIAN),
    )
    [(text, buttons)] = said
    assert text.startswith("Na sodelavca boste čakali približno 25 minut.")
    assert [b["title"] for b in buttons][-2:] == ["Počakam na osebo", "Nadaljuj z asistentom"]
    assert buttons[0]["title"] == "Pokličite me: today 14:00-16:00"  # the label is the back end's

    entity = {"entity": "callback_window", "value": "2026-11-27T15:00:00Z"}
    tracker = make_tracker(
        "/request_callback",
        "request_callback",
        entities=[entity],
        slots={**SLOVENIAN, "handoff_ticket": 12.0},
    )
    _, booked = await run_action(ActionBookCallback(FakeDesk().client()), tracker)
    assert booked[0][0].startswith(
        "Dogovorjeno: sodelavec iz naše ekipe za obračun vas bo poklical"
    )
