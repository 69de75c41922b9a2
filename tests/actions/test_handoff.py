"""Handing over to a person: the ticket the back end gets, what the customer hears, the pause."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rasa_sdk.events import ConversationPaused, SlotSet, UserUtteranceReverted

from actions.billing_client import BillingClient
from actions.handoff import (
    ActionAnswerBareYesNo,
    ActionBookCallback,
    ActionCarryOnWithBot,
    ActionEndOpenHandoff,
    ActionHandleFallback,
    ActionHandOff,
    ActionWaitForAgent,
    consecutive_fallbacks,
)
from actions.settings import ClientSettings
from privacy.masking import CARD_MASK, DATE_MASK, VERIFICATION_ANSWER_MASK
from tests.actions.conftest import VERIFIED_SLOTS, make_tracker, run_action
from tests.actions.english import ANYTHING_ELSE, CARRY_ON, HANDOFF_UNAVAILABLE

WINDOWS = [
    {"start": "2026-11-27T13:00:00Z", "end": "2026-11-27T15:00:00Z", "label": "today 14:00-16:00"},
    {"start": "2026-11-27T15:00:00Z", "end": "2026-11-27T17:00:00Z", "label": "today 16:00-18:00"},
]
CLEARED = [
    SlotSet("handoff_reason", None),
    SlotSet("handoff_ticket", 12.0),
    SlotSet("pending_operation", None),
    SlotSet("awaiting_confirmation", False),
]


@dataclass
class FakeDesk:
    """The back end's handoff routes (docs/desk-api.md) at the HTTP boundary."""

    ticket: dict[str, Any] = field(
        default_factory=lambda: {
            "ticket_id": 12,
            "status": "queued",
            "position": 2,
            "estimated_wait_seconds": 130,
            "agents_on_duty": 2,
            "open_now": True,
            "callback_offered": False,
            "callback_windows": WINDOWS,
        }
    )
    down: bool = False
    closed: bool = False
    received: list[tuple[str, str, Any]] = field(default_factory=list)

    def client(self) -> BillingClient:
        settings = ClientSettings(backend_url="http://backend.test")
        return BillingClient(settings, transport=httpx.MockTransport(self))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content) if request.content else None
        self.received.append((request.method, request.url.path, body))
        if self.closed:
            return httpx.Response(409, json={"error": {"code": "ticket_closed", "message": "x"}})
        if request.url.path == "/api/v1/handoffs":
            return httpx.Response(201, json=self.ticket)
        if request.url.path.endswith("/callback"):
            window = next(w for w in WINDOWS if w["start"] == body["window_start"])
            return httpx.Response(
                200, json={**self.ticket, "status": "callback", "callback_window": window}
            )
        return httpx.Response(200, json={**self.ticket, "status": "withdrawn"})

    def opened(self) -> dict[str, Any]:
        [(method, _, body)] = [r for r in self.received if r[1] == "/api/v1/handoffs"]
        assert method == "POST"
        return dict(body)


def user(text: str, intent: str, timestamp: float) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "timestamp": timestamp,
        "parse_data": {"intent": {"name": intent}, "entities": []},
    }


def bot(text: str, timestamp: float) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": timestamp}


def asked(slot: str | None) -> dict[str, Any]:
    return {"event": "slot", "name": "requested_slot", "value": slot}


VERIFIED_CONVERSATION = [
    user("why is my bill so high", "bill_higher_than_usual", 1.0),
    asked("account_number"),
    bot("What's your account number?", 2.0),
    user("100001", "provide_account_number", 3.0),
    asked("identity_check"),
    bot("Your date of birth or postcode?", 4.0),
    user("14 March 1985", "provide_verification_info", 5.0),
    asked(None),
    bot("Thanks Ana, you're verified.", 6.0),
    user("I paid on 12.10.2026 with 4111 1111 1111 1111", "payment_history", 7.0),
    bot("Your last payments: ...", 8.0),
    user("I want to talk to a person", "talk_to_human", 9.0),
]


async def test_a_verified_customer_is_queued_and_the_bot_pauses() -> None:
    desk = FakeDesk()
    tracker = make_tracker(
        "I want to talk to a person",
        "talk_to_human",
        slots={**VERIFIED_SLOTS, "pending_operation": "credit|17|"},
        events=VERIFIED_CONVERSATION,
    )
    events, said = await run_action(ActionHandOff(desk.client()), tracker)
    assert said == [
        (
            "I'm passing you to a colleague from our billing team. They'll see this conversation"
            " and your account, so you won't need to repeat anything. You're number 2 in the"
            " queue. The wait is about 2 minutes. Stay on this page; their replies appear here.",
            [],
        )
    ]
    assert events == [*CLEARED, ConversationPaused()]
    ticket = desk.opened()
    assert ticket["conversation_id"] == "conv-1"
    assert ticket["reason"] == "customer_request"
    assert "account_number" not in ticket  # the back end attaches the verified account itself
    assert ticket["intents"] == [
        "bill_higher_than_usual",
        "provide_account_number",
        "provide_verification_info",
        "payment_history",
        "talk_to_human",
    ]
    assert ticket["slots"]["pending_operation"] == "credit|17|"  # the agent sees what was pending
    assert ticket["summary"] == (
        "Customer asked for a person. Asked about why the bill went up, past payments. Verified."
    )


async def test_the_transcript_leaves_out_identity_answers_dates_cards_and_this_message() -> None:
    desk = FakeDesk()
    tracker = make_tracker(
        "I want to talk to a person",
        "talk_to_human",
        slots=VERIFIED_SLOTS,
        events=VERIFIED_CONVERSATION,
    )
    await run_action(ActionHandOff(desk.client()), tracker)
    transcript = desk.opened()["transcript"]
    texts = [(line["sender"], line["text"]) for line in transcript]
    assert ("customer", VERIFICATION_ANSWER_MASK) in texts
    assert ("customer", f"I paid on {DATE_MASK} with {CARD_MASK}") in texts
    assert all("1985" not in text and "4111" not in text for _, text in texts)
    assert texts[-1] == ("bot", "Your last payments: ...")  # the broker delivers the rest
    assert transcript[0]["at"] == "1970-01-01T00:00:01Z"


async def test_the_reason_comes_from_the_action_that_offered_a_person() -> None:
    desk = FakeDesk()
    tracker = make_tracker(
        "yes please",
        "affirm",
        slots={**VERIFIED_SLOTS, "handoff_reason": "beyond_authority|17"},
    )
    events, _ = await run_action(ActionAnswerBareYesNo(desk.client()), tracker)
    ticket = desk.opened()
    assert ticket["reason"] == "beyond_authority"
    assert ticket["finding_id"] == 17
    assert ConversationPaused() in events


async def test_a_no_to_the_offer_of_a_person_forgets_the_reason() -> None:
    desk = FakeDesk()
    tracker = make_tracker("no", "deny", slots={"handoff_reason": "beyond_authority"})
    events, said = await run_action(ActionAnswerBareYesNo(desk.client()), tracker)
    assert said == [(ANYTHING_ELSE, [])]
    assert events == [SlotSet("handoff_reason", None)]
    assert desk.received == []


async def test_locked_verification_and_upset_customers_are_marked() -> None:
    for slots, intent, reason in (
        ({"verification_locked": True}, "affirm", "verification_locked"),
        ({}, "express_frustration", "upset_customer"),
    ):
        desk = FakeDesk()
        await run_action(ActionHandOff(desk.client()), make_tracker("x", intent, slots=slots))
        assert desk.opened()["reason"] == reason
        assert desk.opened()["summary"].endswith("Not verified.")


async def test_the_second_fallback_in_a_row_hands_over() -> None:
    once = [user("blorp", "nlu_fallback", 1.0)]
    twice = [
        user("blah", "greet", 0.5),
        *once,
        bot("Sorry?", 1.5),
        user("zzz", "nlu_fallback", 2.0),
    ]
    assert consecutive_fallbacks(once) == 1
    assert consecutive_fallbacks(twice) == 2
    after_an_agent = [user("zzz", "nlu_fallback", 0.5), {"event": "resume"}, *once]
    assert consecutive_fallbacks(after_an_agent) == 1
    desk = FakeDesk()
    tracker = make_tracker("blorp", "nlu_fallback", events=once)
    events, _ = await run_action(ActionHandleFallback(desk.client()), tracker)
    assert (events, desk.received) == ([], [])
    tracker = make_tracker("zzz", "nlu_fallback", events=twice)
    events, said = await run_action(ActionHandleFallback(desk.client()), tracker)
    assert desk.opened()["reason"] == "repeated_fallback"
    assert ConversationPaused() in events
    assert len(said) == 2


async def test_a_message_the_dialogue_could_not_place_counts_as_not_understood() -> None:
    """The policies' fallback (an intent that fits nowhere) answers like an NLU fallback, is taken
    back from the dialogue state, and a second one in a row hands over."""
    first = [user("you know, that one", "choose_option", 1.0)]
    desk = FakeDesk()
    tracker = make_tracker("you know, that one", "choose_option", events=first)
    events, said = await run_action(ActionHandleFallback(desk.client()), tracker)
    assert events == [UserUtteranceReverted()]
    assert [text for text, _ in said] == [None]  # utter_default, by response name
    assert desk.received == []
    twice = [
        user("the thing with the stuff", "nlu_fallback", 0.5),
        {"event": "action", "name": "action_handle_fallback"},
        bot("Sorry, I didn't get that.", 0.6),
        {"event": "action", "name": "action_listen"},
        *first,
    ]
    assert consecutive_fallbacks(twice) == 2
    tracker = make_tracker("you know, that one", "choose_option", events=twice)
    events, _ = await run_action(ActionHandleFallback(desk.client()), tracker)
    assert events[0] == UserUtteranceReverted()
    assert ConversationPaused() in events
    assert desk.opened()["reason"] == "repeated_fallback"
    greeted = [
        {"event": "action", "name": "utter_greet"},
        {"event": "action", "name": "action_listen"},
    ]
    understood_between = [*twice[:4], user("hi", "greet", 0.8), *greeted, *first]
    assert consecutive_fallbacks(understood_between) == 1


async def test_a_long_wait_offers_a_callback_and_does_not_pause() -> None:
    desk = FakeDesk()
    desk.ticket.update(callback_offered=True, estimated_wait_seconds=1500)
    tracker = make_tracker("a person please", "talk_to_human", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionHandOff(desk.client()), tracker)
    [(text, buttons)] = said
    assert text.startswith("The wait for a colleague is about 25 minutes.")
    assert [b["title"] for b in buttons] == [
        "Call me back: today 14:00-16:00",
        "Call me back: today 16:00-18:00",
        "I'll wait for a person",
        "Carry on with the bot",
    ]
    assert buttons[0]["payload"] == ('/request_callback{"callback_window": "2026-11-27T13:00:00Z"}')
    assert ConversationPaused() not in events
    assert SlotSet("handoff_ticket", 12.0) in events


async def test_outside_opening_hours_an_unverified_customer_gets_no_callback_or_wait() -> None:
    desk = FakeDesk()
    desk.ticket.update(callback_offered=True, open_now=False, estimated_wait_seconds=None)
    _, said = await run_action(ActionHandOff(desk.client()), make_tracker("human", "talk_to_human"))
    [(text, buttons)] = said
    assert text.startswith("Our billing team isn't available at the moment.")
    assert "080 22 33" in text
    assert [b["title"] for b in buttons] == ["Carry on with the bot"]


async def test_the_customer_books_a_callback_window() -> None:
    desk = FakeDesk()
    entity = {"entity": "callback_window", "value": "2026-11-27T15:00:00Z"}
    tracker = make_tracker(
        "/request_callback",
        "request_callback",
        entities=[entity],
        slots={**VERIFIED_SLOTS, "handoff_ticket": 12.0},
    )
    events, said = await run_action(ActionBookCallback(desk.client()), tracker)
    assert desk.received == [
        ("POST", "/api/v1/handoffs/12/callback", {"window_start": "2026-11-27T15:00:00Z"})
    ]
    assert "call you today 16:00-18:00" in said[0][0]
    assert events == [SlotSet("handoff_ticket", None)]


async def test_waiting_after_all_queues_and_pauses() -> None:
    desk = FakeDesk()
    desk.ticket.update(callback_offered=True, estimated_wait_seconds=None, agents_on_duty=0)
    tracker = make_tracker("I'll wait", "wait_for_agent", slots={"handoff_ticket": 12.0})
    events, said = await run_action(ActionWaitForAgent(desk.client()), tracker)
    assert desk.opened()["reason"] == "customer_request"
    assert ConversationPaused() in events  # not the callback question again
    assert "Nobody from the team is online yet" in said[0][0]


async def test_carrying_on_with_the_bot_withdraws_the_ticket_even_if_closed() -> None:
    desk = FakeDesk(closed=True)
    tracker = make_tracker("carry on", "continue_with_bot", slots={"handoff_ticket": 12.0})
    events, said = await run_action(ActionCarryOnWithBot(desk.client()), tracker)
    assert desk.received == [("POST", "/api/v1/handoffs/12/withdraw", {})]
    assert said == [(CARRY_ON, [])]
    assert events == [SlotSet("handoff_ticket", None)]


async def test_back_end_down_gives_the_phone_number_and_does_not_pause() -> None:
    desk = FakeDesk(down=True)
    tracker = make_tracker("a person", "talk_to_human", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionHandOff(desk.client()), tracker)
    assert said == [(HANDOFF_UNAVAILABLE, [])]
    assert events == [SlotSet("handoff_reason", None)]


async def test_a_goodbye_withdraws_a_ticket_still_waiting_for_a_choice() -> None:
    desk = FakeDesk()
    tracker = make_tracker("bye", "goodbye", slots={"handoff_ticket": 12.0})
    events, said = await run_action(ActionEndOpenHandoff(desk.client()), tracker)
    assert desk.received == [("POST", "/api/v1/handoffs/12/withdraw", {})]
    assert (events, said) == ([SlotSet("handoff_ticket", None)], [])


async def test_a_goodbye_without_a_ticket_or_with_the_back_end_down_says_nothing() -> None:
    desk = FakeDesk()
    events, said = await run_action(ActionEndOpenHandoff(desk.client()), make_tracker("bye"))
    assert (events, said, desk.received) == ([], [], [])
    down = FakeDesk(down=True)
    tracker = make_tracker("bye", "goodbye", slots={"handoff_ticket": 12.0})
    events, said = await run_action(ActionEndOpenHandoff(down.client()), tracker)
    assert (events, said) == ([SlotSet("handoff_ticket", None)], [])


@pytest.mark.parametrize(
    ("channel", "language", "where"),
    [
        ("socketio", "en", "Stay on this page; their replies appear here."),
        ("telegram", "en", "Their replies will come to this chat."),
        ("whatsapp", "sl", "Odgovori bodo prišli v ta klepet."),
        ("slack", "en", "Their replies will come to this chat."),
        ("socketio", "sl", "Ostanite na tej strani; odgovori bodo prikazani tukaj."),
    ],
)
async def test_the_queue_message_says_where_replies_come_on_each_channel(
    channel: str, language: str, where: str
) -> None:
    """A messaging customer has no page to stay on: the agent's replies come to the chat."""
    desk = FakeDesk()
    asked_for_person = {
        **user("I want to talk to a person", "talk_to_human", 9.0),
        "input_channel": channel,
    }
    tracker = make_tracker(
        "I want to talk to a person",
        "talk_to_human",
        slots={**VERIFIED_SLOTS, "language": language},
        events=[*VERIFIED_CONVERSATION[:-1], asked_for_person],
    )
    _, said = await run_action(ActionHandOff(desk.client()), tracker)
    [(text, _)] = said
    assert text.endswith(where)
    other = {"Stay on this page", "Ostanite na tej strani", "this chat", "ta klepet"}
    assert [phrase for phrase in other if phrase in text and phrase not in where] == []
