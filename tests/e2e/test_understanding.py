"""Issue 8's "Done when", as a customer meets it over the REST channel with the real product.

- Every message quoted under the issue's "Why" (written by people outside the team) leads to the
  answer it asks for, after the identity check where the bot needs one; the tracker (Rasa's HTTP
  API) says which intent was read.
- "9999" and "1111" as the postcode get exactly the reply of any wrong postcode (never silence,
  never a 500); a 6-digit number typed while the postcode is asked keeps the account number; a
  request with an account number in it starts the check with the number taken.
- A 200 KB message is refused politely at the channel while Rasa stays under 2 GB, and the
  conversation goes on; a message that is not a string is a 400.

One stack for the whole e2e session (conftest.py). Failed checks count per client address (every
test here comes from 127.0.0.1, 10 failures in 15 minutes lock it): this module fails 3 (the
e2e session 7), each on Ana's account right after a success (reading her invoice), so her own
count never locks her.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RASA_TOKEN, Stack
from tests.e2e.test_billing_depth import chat_raw
from tests.e2e.test_conversations import latest_invoice_total

ANA, ANA_BORN, ANA_POSTCODE = "100001", "1985-03-14", "1000"
ASK_ACCOUNT = "What's your account number?"
ASK_FACTOR = (
    "To confirm it's you, please tell me your date of birth or the postcode we have on file."
)
ASK_AMOUNT = (
    "Thanks. With the postcode I also need the total of your latest invoice, in euros "
    "(for example 48.90)."
)
VERIFIED = "Thanks Ana, you're verified."
NO_MATCH = "Sorry, that doesn't match our records."
PAYMENT = "Here's your secure payment link for "
REVIEW = "I checked your recent bills against our billing rules"
# Before cancelling: the best offer within policy, or (none) what cancelling now means.
CANCELLATION = ("Before you decide: I can offer you", "If you cancel now, your service ends on")
ASK_CONTACT = "To confirm it's really you, I'll send a one-time code. Where should I send it?"
GOODBYE = ["Goodbye, and thanks for getting in touch."]
TOO_LONG = "That message is too long for me: please send up to 2,000 characters, or split it."
MAX_RASA_MB = 2048


def tracker(stack: Stack, sender: str) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": RASA_TOKEN},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


def latest_intent(stack: Stack, sender: str) -> str:
    return str(tracker(stack, sender)["latest_message"]["intent"]["name"])


def say(stack: Stack, sender: str, text: str) -> list[str]:
    """One customer turn: a 2xx with at least one reply (stack.chat raises on a 5xx)."""
    replies = stack.chat(sender, text)
    assert replies, f"silent turn after {text!r}"
    return replies


def verify_as_ana(stack: Stack, sender: str) -> list[str]:
    """Answer the identity check the bot started; its replies after the date of birth."""
    assert ASK_FACTOR in say(stack, sender, ANA)
    replies = say(stack, sender, ANA_BORN)
    assert replies[0] == VERIFIED, replies
    return replies[1:]


# (customer's words, the intent it must be read as, how the bot's answer starts)
REQUESTS = [
    ("Hi, please help me pay my latest bill", "pay_bill", (PAYMENT,)),
    ("i need to put in a payment towards my phone bill", "pay_bill", (PAYMENT,)),
    ("how do I check what payment methods are accepted?", "pay_bill", (PAYMENT,)),
    ("I have a crazy billing issue", "dispute_charge", (REVIEW,)),
    ("I see what looks like duplicate charges on account", "dispute_charge", (REVIEW,)),
    ("I'd like to cancel a plan", "cancel_service", CANCELLATION),
]


@pytest.mark.parametrize(("text", "intent", "answer"), REQUESTS, ids=[r[0] for r in REQUESTS])
def test_a_request_in_outside_words_gets_its_answer_after_the_check(
    stack: Stack, sender: str, text: str, intent: str, answer: tuple[str, ...]
) -> None:
    asked = " ".join(say(stack, sender, text))
    assert latest_intent(stack, sender) == intent
    assert ASK_ACCOUNT in asked  # an account request: the identity check comes first
    replies = verify_as_ana(stack, sender)
    assert replies, "verified, but the request was not answered"
    assert replies[0].startswith(answer), replies


@pytest.mark.parametrize("text", ["roger that", "you're right"])
def test_agreement_in_outside_words_is_a_yes_to_the_question_asked(
    stack: Stack, sender: str, text: str
) -> None:
    say(stack, sender, "I want to cancel my contract")
    assert ASK_FACTOR in say(stack, sender, ANA)
    answer = chat_raw(stack, sender, ANA_BORN)
    assert answer[0]["text"] == VERIFIED
    assert [b["title"] for b in answer[-1].get("buttons", [])] == ["Yes", "No"], answer
    assert say(stack, sender, text)[0].startswith(ASK_CONTACT)  # a yes: the code comes next
    assert latest_intent(stack, sender) == "affirm"
    assert say(stack, sender, "no")  # nothing is changed
    assert latest_intent(stack, sender) == "deny"


def test_a_warm_closing_is_a_goodbye(stack: Stack, sender: str) -> None:
    say(stack, sender, "hi")
    assert say(stack, sender, "it was very good to talk to you") == GOODBYE
    assert latest_intent(stack, sender) == "goodbye"


def account_number_slot(stack: Stack, sender: str) -> object:
    return tracker(stack, sender)["slots"]["account_number"]


def postcode_attempt(stack: Stack, sender: str, postcode: str) -> tuple[list[str], list[str]]:
    """The bot's replies to a postcode for Ana, then to her real latest invoice total."""
    # Reading the amount verifies Ana elsewhere: a success resets her failure count.
    amount = latest_invoice_total(stack, ANA, ANA_BORN)
    assert ASK_ACCOUNT in " ".join(say(stack, sender, "what's my balance?"))
    assert say(stack, sender, ANA) == [ASK_FACTOR]
    to_postcode = say(stack, sender, postcode)
    assert account_number_slot(stack, sender) == ANA  # a postcode is not an account number
    return to_postcode, say(stack, sender, amount)


@pytest.fixture(scope="module")
def wrong_postcode(stack: Stack) -> tuple[list[str], list[str]]:
    """What any wrong postcode gets: a real one, not Ana's (one failed check for the module)."""
    replies = postcode_attempt(stack, "e2e-wrong-postcode", "2000")
    assert replies[1][0].startswith(NO_MATCH)
    return replies


@pytest.mark.parametrize("postcode", ["9999", "1111"])
def test_an_impossible_postcode_gets_the_reply_of_a_wrong_one(
    stack: Stack, sender: str, postcode: str, wrong_postcode: tuple[list[str], list[str]]
) -> None:
    replies = postcode_attempt(stack, sender, postcode)
    assert replies == wrong_postcode
    assert replies[0] == [ASK_AMOUNT]  # asked after every postcode, right or wrong
    assert replies[1][0].startswith(NO_MATCH)
    assert replies[1][-1] == ASK_FACTOR  # and the check goes on


def test_an_account_number_given_for_the_postcode_keeps_the_first_one(
    stack: Stack, sender: str
) -> None:
    amount = latest_invoice_total(stack, ANA, ANA_BORN)
    say(stack, sender, "what's my balance?")
    assert say(stack, sender, ANA) == [ASK_FACTOR]
    assert ASK_FACTOR in say(stack, sender, "100002")  # still asking, nothing checked
    assert account_number_slot(stack, sender) == ANA
    assert say(stack, sender, ANA_POSTCODE) == [ASK_AMOUNT]
    replies = say(stack, sender, amount)
    assert replies[0] == VERIFIED  # the postcode and the amount were judged for Ana
    assert replies[1].startswith("Your balance is ")


def test_a_request_with_the_account_number_starts_the_check_with_it_taken(
    stack: Stack, sender: str
) -> None:
    replies = say(stack, sender, "my account is 100001, why is my bill so high")
    assert replies == [ASK_FACTOR]
    assert latest_intent(stack, sender) == "bill_higher_than_usual"
    assert account_number_slot(stack, sender) == ANA
    replies = say(stack, sender, ANA_BORN)
    assert replies[0] == VERIFIED
    assert re.match(r"Your \w+ \d{4} bill is ", replies[1]), replies  # why it went up


def group_memory_mb(leader: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of every process in the leader's process group, in MB."""
    totals = {"VmRSS": 0.0, "VmHWM": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != leader:
                continue
            status = (entry / "status").read_text()
        except (OSError, IndexError):
            continue  # gone meanwhile
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key in totals:
                totals[key] += int(value.split()[0]) / 1024
    return totals


def test_a_200kb_message_is_refused_politely_and_rasa_stays_under_2gb(
    stack: Stack, sender: str
) -> None:
    rasa = stack.processes["rasa"].popen
    assert rasa is not None
    huge = ("why is my bill so high " * 9000)[: 200 * 1024]
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": huge},
        timeout=120,
    )
    assert response.status_code == 200
    assert [m["text"] for m in response.json()] == [TOO_LONG]
    memory = group_memory_mb(rasa.pid)
    print(f"\nRasa after 200 KB: RSS {memory['VmRSS']:.0f} MB, peak {memory['VmHWM']:.0f} MB")
    assert 0 < memory["VmRSS"] < MAX_RASA_MB
    assert memory["VmHWM"] < MAX_RASA_MB  # not even for a moment
    assert ASK_ACCOUNT in " ".join(say(stack, sender, "what's my balance?"))  # it goes on
    texts = [e["text"] for e in tracker(stack, sender)["events"] if e["event"] == "user"]
    assert texts == ["what's my balance?"]  # the refused message never reached Rasa


def test_a_message_that_is_not_text_is_a_400(stack: Stack, sender: str) -> None:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": 12345},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "message_not_a_string"
    assert [e for e in tracker(stack, sender)["events"] if e["event"] == "user"] == []
