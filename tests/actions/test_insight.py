from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.account import AccountAction
from actions.insight import (
    ActionExplainBillChange,
    ActionExplainCharge,
    ActionReviewAccount,
    change_summary,
    charge_words,
)
from actions.pending_request import ActionAnswerPendingRequest
from tests.actions import fake_data
from tests.actions.conftest import (
    MARKO_SLOTS,
    VERIFIED_SLOTS,
    YES_NO,
    make_tracker,
    run_action,
)
from tests.actions.english import BACKEND_DOWN, HANDOFF_QUESTION, OFFER_HUMAN_BUTTONS
from tests.actions.fake_backend import FakeBackend

DUPLICATE = fake_data.MARKO_DUPLICATE["summary"]
CREDIT_PROPOSAL = [
    SlotSet("pending_operation", "credit|17|"),
    SlotSet("awaiting_confirmation", True),
]


def option(payload: str) -> str:
    """The entity value a `/choose_option{"option": "..."}` button payload carries."""
    return payload.split('"option": "')[1].rstrip('"}')


# -- why the bill changed ---------------------------------------------------------------------


async def test_ana_hears_why_her_bill_went_up_and_the_review_finds_nothing(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker("why is my bill so high", "bill_higher_than_usual", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionExplainBillChange(backend.client()), tracker)
    assert said == [
        (
            "Your October 2026 bill is 54.17 EUR, 17.69 EUR more than September 2026's 36.48 EUR."
            " Here's why:",
            [],
        ),
        (
            "• +10.00 EUR: Your welcome discount of 10.00 EUR a month ended on 30 September 2026,"
            " so your plan is back to its full price.\n"
            "• +4.50 EUR: Extra usage beyond your allowance: 3 GB (4.50 EUR) on this bill,"
            " none on the last one.\n"
            "• +3.19 EUR: VAT (22%) follows the charges above: 3.19 EUR higher.",
            [],
        ),
    ]
    assert events == []
    assert [(s.method, s.route, s.body) for s in backend.sent()] == [
        ("GET", "/invoices/latest/changes", None),
        ("POST", "/reviews", {}),
    ]
    assert backend.sent()[1].key  # the review is a write: it carries an Idempotency-Key


async def test_marko_hears_about_the_duplicate_and_is_offered_the_credit() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    tracker = make_tracker("why did my bill go up", "bill_higher_than_usual", slots=MARKO_SLOTS)
    events, said = await run_action(ActionExplainBillChange(backend.client()), tracker)
    assert said[0][0].startswith("Your October 2026 bill is 48.65 EUR, 12.18 EUR more than")
    assert said[1][0].splitlines()[0] == (
        "• +9.99 EUR: Roaming pack is charged a second time for 1–31 October 2026:"
        " this extra 9.99 EUR looks like a billing error."
    )
    assert said[2:] == [
        (f"I checked your bills for errors and found one: {DUPLICATE}", []),
        ("I can credit 12.19 EUR back to your account. Shall I?", YES_NO),  # VAT included
    ]
    assert events == CREDIT_PROPOSAL


@pytest.mark.parametrize(
    ("total", "difference", "sentence"),
    [
        ("31.98", "-4.50", "Your October 2026 bill is 31.98 EUR, 4.50 EUR less than"),
        ("36.48", "0.00", "Your October 2026 bill is 36.48 EUR, the same as"),
    ],
)
def test_a_lower_or_equal_bill_is_said_so(total: str, difference: str, sentence: str) -> None:
    changes = {**fake_data.CHANGES[fake_data.ANA], "total": total, "difference": difference}
    assert change_summary(changes) == (f"{sentence} September 2026's 36.48 EUR. Here's why:")


async def test_without_an_earlier_bill_to_compare_the_latest_is_explained(
    backend: FakeBackend,
) -> None:
    del backend.changes[fake_data.ANA]  # the back end answers 404
    tracker = make_tracker("why is my bill higher", "bill_higher_than_usual", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionExplainBillChange(backend.client()), tracker)
    assert said[0] == ("Invoice INV-100001-202610 for October 2026, due 30 Nov 2026 (open):", [])
    assert said[-1] == ("Total: 54.17 EUR", [])
    assert events == []
    assert backend.writes() == []  # no review without the comparison


async def test_a_finding_beyond_the_bot_is_handed_to_a_colleague() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    backend.findings[fake_data.MARKO][0].update(status="escalated", bot_can_credit=False)
    tracker = make_tracker("this is wrong", "dispute_charge", slots=MARKO_SLOTS)
    events, said = await run_action(ActionReviewAccount(backend.client()), tracker)
    assert said == [
        (
            f"I checked your bills against our rules and found this: {DUPLICATE}"
            f" Crediting it needs a colleague's approval. {HANDOFF_QUESTION}",
            OFFER_HUMAN_BUTTONS,
        )
    ]
    finding = backend.findings[fake_data.MARKO][0]["id"]
    assert events == [SlotSet("handoff_reason", f"beyond_authority|{finding}")]


# -- one charge -------------------------------------------------------------------------------


async def test_a_charge_named_in_words_is_explained(backend: FakeBackend) -> None:
    tracker = make_tracker("what's the extra data charge?", "explain_charge", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionExplainCharge(backend.client()), tracker)
    assert said == [
        (
            "Extra data, 3 GB (4.50 EUR) on invoice INV-100001-202610, for 1 Oct 2026 to"
            " 31 Oct 2026: Extra usage beyond your plan's allowance in October 2026.",
            [],
        )
    ]
    assert events == []
    assert backend.requests[0].url.params["text"] == "extra data"


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("what's the extra data charge?", "extra data"),
        ("why is there a late fee", "late fee"),
        ("kaj je Dodatni prenos podatkov?", "prenos podatk"),
        ("zakaj moram plačati prenosa podatkov", "prenos podatk"),
        ("zakaj imam zamudnino", "zamud"),
        ("koliko je DDV", "ddv"),
        ("kaj je ta pozdravni popust", "popust"),
        ("zaračunali ste mi priključitev", "priključ"),
        ("paket za gostovanje", "gostovanj"),
        ("kaj je znesek za del meseca", "del mesec"),
        ("what is this charge", None),
        ("kaj je to", None),
    ],
)
def test_the_words_that_name_a_charge_in_either_language(message: str, words: str | None) -> None:
    assert charge_words(message) == words


async def test_a_slovenian_charge_name_is_looked_up_in_slovenian(backend: FakeBackend) -> None:
    slots = {**VERIFIED_SLOTS, "language": "sl"}
    tracker = make_tracker("kaj je Dodatni prenos podatkov?", "explain_charge", slots=slots)
    await run_action(ActionExplainCharge(backend.client()), tracker)
    asked = backend.requests[0]
    assert asked.url.params["text"] == "prenos podatk"
    assert asked.headers["Accept-Language"] == "sl"


async def test_a_charge_named_by_amount_is_explained(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "what is the 4,50 on my bill",
        "explain_charge",
        [{"entity": "amount", "value": "4,50"}],
        slots=VERIFIED_SLOTS,
    )
    _, said = await run_action(ActionExplainCharge(backend.client()), tracker)
    assert said[0][0].startswith("Extra data, 3 GB (4.50 EUR) on invoice INV-100001-202610")
    assert dict(backend.requests[0].url.params) == {"amount": "4.50"}


async def test_several_matching_charges_offer_a_choice_that_leads_to_the_chosen_line() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    action = ActionExplainCharge(backend.client())
    asked = make_tracker("what is this roaming charge", "explain_charge", slots=MARKO_SLOTS)
    events, said = await run_action(action, asked)
    text, buttons = said[0]
    # October's line is on the invoice twice: one button for it, not two identical ones.
    assert text == "I found 3 charges like that. Which one do you mean?"
    assert [b["title"] for b in buttons] == [
        "Roaming pack, October 2026 (9.99 EUR), October 2026",
        "Roaming pack, September 2026 (9.99 EUR), September 2026",
        "Roaming pack, August 2026 (9.99 EUR), August 2026",
    ]
    assert all(b["payload"].startswith('/choose_option{"option": "') for b in buttons)
    assert events == []

    october = buttons[0]["payload"]
    picked = make_tracker(
        october,
        "choose_option",
        [{"entity": "option", "value": option(october)}],
        slots=MARKO_SLOTS,
    )
    events, said = await run_action(action, picked)
    assert said == [
        (
            "Roaming pack, October 2026 (9.99 EUR) on invoice INV-100002-202610, for 1 Oct 2026 to"
            " 31 Oct 2026: Your Roaming pack add-on for October 2026. It appears 2 times on that"
            " invoice. If you think that's wrong, say so and I'll check it.",
            [],
        )
    ]
    assert events == []


async def test_a_choice_within_an_older_month_still_finds_the_chosen_line(
    backend: FakeBackend,
) -> None:
    # A plan change in June (outside the last three invoices) left two partial-month lines.
    june = "INV-100001-202606"
    backend.charges[fake_data.ANA] += [
        fake_data.charge(131, june, "proration", "Fiber 100, 1-14 June 2026", "13.95",
                         "Fiber 100 for 1-14 June 2026, before your plan change."),
        fake_data.charge(132, june, "proration", "Fiber 300, 15-30 June 2026", "21.28",
                         "Fiber 300 for 15-30 June 2026, after your plan change."),
    ]  # fmt: skip
    action = ActionExplainCharge(backend.client())
    asked = make_tracker(
        "what is the proration in june",
        "explain_charge",
        [{"entity": "month", "value": "june"}],
        slots=VERIFIED_SLOTS,
    )
    _, said = await run_action(action, asked)
    assert said[0][0] == "I found 2 charges like that. Which one do you mean?"
    second = said[0][1][1]["payload"]
    picked = make_tracker(
        second,
        "choose_option",
        [{"entity": "option", "value": option(second)}],
        slots=VERIFIED_SLOTS,
    )
    _, said = await run_action(action, picked)
    assert said == [
        (
            "Fiber 300, 15-30 June 2026 (21.28 EUR) on invoice INV-100001-202606, for 1 Jun 2026"
            " to 30 Jun 2026: Fiber 300 for 15-30 June 2026, after your plan change.",
            [],
        )
    ]


async def test_no_matching_charge_says_so(backend: FakeBackend) -> None:
    tracker = make_tracker("what is the static ip charge", "explain_charge", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionExplainCharge(backend.client()), tracker)
    assert said == [
        (
            "I can't find a charge like that on your last three invoices."
            " Ask me to explain your bill and I'll go through every line.",
            [],
        )
    ]
    assert events == []


async def test_a_charge_question_without_amount_or_words_explains_the_bill(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker("what is this charge", "explain_charge", slots=VERIFIED_SLOTS)
    _, said = await run_action(ActionExplainCharge(backend.client()), tracker)
    assert said[0] == ("Invoice INV-100001-202610 for October 2026, due 30 Nov 2026 (open):", [])
    assert [s.route for s in backend.sent()] == ["/invoices/latest"]


# -- "this charge is wrong" -------------------------------------------------------------------


async def test_marko_complaint_finds_the_duplicate_and_proposes_the_credit() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    tracker = make_tracker(
        "you charged me the roaming pack twice!", "dispute_charge", slots=MARKO_SLOTS
    )
    events, said = await run_action(ActionReviewAccount(backend.client()), tracker)
    assert said == [
        (f"I checked your bills for errors and found one: {DUPLICATE}", []),
        ("I can credit 12.19 EUR back to your account. Shall I?", YES_NO),
    ]
    assert events == CREDIT_PROPOSAL
    assert [s.route for s in backend.sent()] == ["/reviews"]


async def test_no_error_found_in_a_named_charge_proposes_a_dispute(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "the 4.50 charge is wrong",
        "dispute_charge",
        [{"entity": "amount", "value": "4.50"}],
        slots=VERIFIED_SLOTS,
    )
    events, said = await run_action(ActionReviewAccount(backend.client()), tracker)
    assert said == [
        (
            "I checked your recent bills against our billing rules and found no error in"
            " Extra data, 3 GB (4.50 EUR).",
            [],
        ),
        ("Shall I open a dispute so a colleague reviews this charge?", YES_NO),
    ]
    assert events == [
        SlotSet(
            "pending_operation",
            "dispute|INV-100001-202610:102|customer disputes the 4.50 charge in chat",
        ),
        SlotSet("awaiting_confirmation", True),
    ]


async def test_no_error_and_no_named_charge_asks_which_one(backend: FakeBackend) -> None:
    tracker = make_tracker("my bill is wrong", "dispute_charge", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionReviewAccount(backend.client()), tracker)
    assert said == [
        (
            "I checked your recent bills against our billing rules and found no error."
            " Which charge do you think is wrong? Tell me its amount, like 'the 9.99 charge'.",
            [],
        )
    ]
    assert events == []


async def test_the_third_complaint_without_an_error_offers_a_person(backend: FakeBackend) -> None:
    complaint = {"event": "user", "parse_data": {"intent": {"name": "dispute_charge"}}}
    upset = {"event": "user", "parse_data": {"intent": {"name": "bill_higher_than_usual"}}}
    tracker = make_tracker(
        "it's still wrong",
        "dispute_charge",
        slots=VERIFIED_SLOTS,
        events=[upset, complaint, {**complaint, "text": "it's still wrong"}],
    )
    events, said = await run_action(ActionReviewAccount(backend.client()), tracker)
    assert said == [
        (
            "I checked your recent bills against our billing rules and found no error, but I can"
            f" see this keeps worrying you. {HANDOFF_QUESTION}",
            OFFER_HUMAN_BUTTONS,
        )
    ]
    assert events == [SlotSet("handoff_reason", "upset_customer")]


# -- asked before verification, answered after it --------------------------------------------


def asked_before_verification(text: str, intent: str) -> list[dict[str, Any]]:
    question = {"text": text, "intent": {"name": intent}, "entities": []}
    return [
        {"event": "user", "text": text, "parse_data": question},
        {"event": "user", "text": "100002", "parse_data": parsed("provide_account_number")},
        {"event": "user", "text": "2.11.1979", "parse_data": parsed("provide_verification_info")},
    ]


def parsed(name: str) -> dict[str, Any]:
    return {"intent": {"name": name}, "entities": []}


async def test_a_complaint_before_verification_is_answered_by_the_review_after_it() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    events = asked_before_verification("the roaming charge is wrong", "dispute_charge")
    tracker = make_tracker(
        "2 November 1979", "provide_verification_info", slots=MARKO_SLOTS, events=events
    )
    answered, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == [
        ("Thanks Marko, you're verified.", []),
        (f"I checked your bills for errors and found one: {DUPLICATE}", []),
        ("I can credit 12.19 EUR back to your account. Shall I?", YES_NO),
    ]
    assert answered == CREDIT_PROPOSAL


async def test_a_charge_named_in_words_before_verification_is_found_after_it() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    events = asked_before_verification("what is this roaming charge?", "explain_charge")
    tracker = make_tracker(
        "2 November 1979", "provide_verification_info", slots=MARKO_SLOTS, events=events
    )
    _, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said[0] == ("Thanks Marko, you're verified.", [])
    assert said[1][0] == "I found 3 charges like that. Which one do you mean?"


@pytest.mark.parametrize(
    ("question", "intent", "first_request"),
    [
        ("why is my bill higher", "bill_higher_than_usual", ("GET", "/invoices/latest/changes")),
        ("what is this roaming charge", "explain_charge", ("GET", "/charges")),
        ("the roaming charge is wrong", "dispute_charge", ("POST", "/reviews")),
        ("can I get a discount", "request_discount", ("POST", "/offers")),
        ("I want to cancel", "cancel_service", ("POST", "/offers")),
        ("is there a cheaper plan", "change_plan", ("GET", "/plan-options")),
        ("I want to pay", "pay_bill", ("POST", "/payment-links")),
    ],
)
async def test_the_question_asked_before_verification_picks_the_answering_action(
    question: str, intent: str, first_request: tuple[str, str]
) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})
    events = asked_before_verification(question, intent)
    tracker = make_tracker(
        "2.11.1979", "provide_verification_info", slots=MARKO_SLOTS, events=events
    )
    await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert (backend.sent()[0].method, backend.sent()[0].route) == first_request


# -- the back end is down ---------------------------------------------------------------------

QUESTIONS = {
    ActionExplainBillChange: ("why is my bill higher", "bill_higher_than_usual"),
    ActionExplainCharge: ("what is the roaming charge", "explain_charge"),
    ActionReviewAccount: ("the roaming charge is wrong", "dispute_charge"),
}


@pytest.mark.parametrize("action_class", list(QUESTIONS))
@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_gives_one_clear_sentence(
    action_class: type[AccountAction], failure: dict[str, Any]
) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    text, intent = QUESTIONS[action_class]
    tracker = make_tracker(text, intent, slots=MARKO_SLOTS)
    events, said = await run_action(action_class(backend.client()), tracker)
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}])
async def test_back_end_down_after_verification_still_answers_in_one_sentence(
    failure: dict[str, Any],
) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    events = asked_before_verification("the roaming charge is wrong", "dispute_charge")
    tracker = make_tracker("x", "provide_verification_info", slots=MARKO_SLOTS, events=events)
    answered, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == [
        ("Thanks Marko, you're verified.", []),
        (BACKEND_DOWN, OFFER_HUMAN_BUTTONS),
    ]
    assert answered == []
