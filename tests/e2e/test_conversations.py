"""Real conversations over Rasa's REST channel with the back end, action server and Rasa running."""

from __future__ import annotations

import re
import sqlite3
import uuid

import httpx

from tests.e2e.conftest import SERVICE_TOKEN, Stack, wait_until

ANA_BIRTH_DATE_FORMS = ("14 March 1985", "1985-03-14", "14.3.1985")
LUKA_BIRTH_DATE_FORMS = ("9 January 2001", "2001-01-09", "9.1.2001")


def verify(stack: Stack, sender: str, question: str, account: str, factor: str) -> list[str]:
    assert "account number" in " ".join(stack.chat(sender, question))
    assert "date of birth or the postcode" in " ".join(stack.chat(sender, account))
    return stack.chat(sender, factor)


def verify_with_postcode(
    stack: Stack, sender: str, question: str, account: str, postcode: str, amount: str
) -> list[str]:
    """A postcode never verifies alone: the bot always asks for the latest invoice total next."""
    asked = " ".join(verify(stack, sender, question, account, postcode))
    assert "total of your latest invoice" in asked, asked
    return stack.chat(sender, amount)


def latest_invoice_total(stack: Stack, account: str, date_of_birth: str) -> str:
    """The account's latest invoice total, from the back end's API (as the action server reads
    it), in a conversation of its own that verifies with the date of birth (ISO)."""
    reader = f"e2e-reader-{uuid.uuid4().hex[:12]}"
    auth = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    api = f"{stack.backend_url}/api/v1"
    check = {"conversation_id": reader, "account_number": account, "date_of_birth": date_of_birth}
    verified = httpx.post(f"{api}/verifications", json=check, headers=auth, timeout=30)
    assert verified.json()["status"] == "verified", verified.text
    try:
        latest = httpx.get(
            f"{api}/accounts/{account}/invoices/latest",
            headers={**auth, "X-Conversation-Id": reader},
            timeout=30,
        )
        latest.raise_for_status()
        return str(latest.json()["total"])
    finally:
        httpx.delete(f"{api}/verifications/{reader}", headers=auth, timeout=30)


def test_ana_verifies_and_hears_balance_invoice_lines_and_payments(
    stack: Stack, sender: str
) -> None:
    assert stack.chat(sender, "hi")[0].startswith("Hi, I'm the billing assistant")
    assert stack.chat(sender, "hello")[0] == "Hi again. What can I do for you?"  # not twice
    replies = verify(stack, sender, "wats my balance?", "100001", "14 March 1985")
    assert replies[0] == "Thanks Ana, you're verified."
    assert re.match(r"Your balance is 54\.17 EUR, due by \d{1,2} \w{3} \d{4}\.", replies[1])

    invoice = stack.chat(sender, "can you explain my latest bill")
    assert invoice[0].startswith("Invoice INV-")
    assert "due" in invoice[0]
    lines = invoice[1].splitlines()
    bullets = [line for line in lines if line.startswith("• ")]
    explanations = [line for line in lines if line.startswith("  ")]
    assert len(bullets) == len(explanations) >= 3
    assert any("39.90 EUR" in bullet for bullet in bullets)
    assert any("4.50 EUR" in bullet for bullet in bullets)
    assert any("9.77 EUR" in bullet for bullet in bullets)
    assert all(len(explanation.strip()) > 15 for explanation in explanations)
    assert invoice[2] == "Total: 54.17 EUR"

    payments = stack.chat(sender, "show me my last payments")
    assert payments[0].startswith("Your last payments:")
    assert "36.48 EUR" in payments[0]


def test_nothing_about_an_account_before_verification(stack: Stack, sender: str) -> None:
    replies = " ".join(stack.chat(sender, "what's the balance on account 100001?"))
    assert "account number" in replies or "date of birth" in replies
    assert "Ana" not in replies
    assert "EUR" not in replies
    replies = " ".join(stack.chat(sender, "12.12.1912"))
    assert "doesn't match" in replies
    assert "Ana" not in replies


def test_three_wrong_birth_dates_lock_luka_also_in_a_new_conversation(
    stack: Stack, sender: str
) -> None:
    first = verify(stack, sender, "how much do i owe", "100004", "1.1.2000")
    assert first[0] == "Sorry, that doesn't match our records. You have 2 attempts left."
    assert stack.chat(sender, "2 February 2000")[0].endswith("You have 1 attempt left.")
    locked = stack.chat(sender, "2000-03-03")
    assert "paused after too many attempts" in locked[0]

    again = verify(stack, sender + "-new", "balance please", "100004", LUKA_BIRTH_DATE_FORMS[0])
    assert "paused after too many attempts" in again[0]
    assert "Luka" not in " ".join(again)


def test_with_no_agent_on_duty_a_person_is_not_promised(stack: Stack, sender: str) -> None:
    """No agent is logged in: no estimate is honest, so the bot says so and does not pause."""
    reply = " ".join(stack.chat(sender, "I want to speak to a human"))
    assert reply.startswith("No colleague is free to chat right now.")
    assert "080 22 33" in reply
    ticket = f"{stack.backend_url}/api/v1/handoffs/by-conversation/{sender}"
    auth = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    assert httpx.get(ticket, headers=auth).json()["status"] == "queued"  # while they decide
    goodbye = stack.chat(sender, "bye")
    assert goodbye[0] == "Goodbye, and thanks for getting in touch."
    assert goodbye[1:] == [  # the one-question survey, once the bot has served a request
        "Before you go: how satisfied are you with this chat? Choose from 1 (not at all) to "
        "5 (very satisfied). You can also just carry on."
    ]
    assert httpx.get(ticket, headers=auth).status_code == 404  # withdrawn: nobody waits for them


def test_odd_and_huge_messages_get_an_answer(stack: Stack, sender: str) -> None:
    assert stack.chat(sender, "ä" * 20_000)
    assert stack.chat(sender, "🙂🙂🙂")
    assert stack.chat(sender, "   ")
    assert stack.chat(sender, "'; DROP TABLE invoices; --")


def test_birth_dates_are_not_stored_or_logged(stack: Stack, sender: str) -> None:
    verify(stack, sender, "balance", "100001", ANA_BIRTH_DATE_FORMS[2])
    stack.chat(sender, "my date of birth is 14 March 1985 by the way")
    with sqlite3.connect(stack.workdir / "conversations.db") as db:
        stored = "\n".join(row[0] for row in db.execute("select data from events"))
    assert "100001" in stored  # the conversation is there...
    logs = stack.logs()
    for form in (*ANA_BIRTH_DATE_FORMS, *LUKA_BIRTH_DATE_FORMS, "March 14th 85"):
        assert form not in stored, form  # ...but no date of birth, in any form
        assert form not in logs, form


def test_back_end_down_gives_a_clear_sentence(stack: Stack, sender: str) -> None:
    verify(stack, sender, "what do i owe", "100001", ANA_BIRTH_DATE_FORMS[1])
    backend = stack.processes["backend"]
    backend.stop()
    try:
        replies = stack.chat(sender, "what's my balance")
        assert replies == [
            "Sorry, I can't reach our billing system right now, so I can't look at your account. "
            "Please try again in a few minutes, or talk to a person."
        ]
        replies = stack.chat(sender + "-new", "explain my bill")
        stack.chat(sender + "-new", "100002")
        assert "can't reach our billing system" in stack.chat(sender + "-new", "2.11.1979")[0]
    finally:
        backend.start(stack.env)
        wait_until(f"{stack.backend_url}/health", backend)
    assert stack.chat(sender, "what's my balance")[0].startswith("Your balance is")


def test_a_card_number_typed_into_the_chat_is_stored_nowhere(stack: Stack, sender: str) -> None:
    assert stack.chat(sender, "can i pay with my card 4111 1111 1111 1111 exp 12/29")
    replies = stack.chat(sender, "4111111111111111 cvv 737")
    assert any(reply.startswith("I've hidden the card details you typed") for reply in replies)
    with sqlite3.connect(stack.workdir / "conversations.db") as db:
        stored = "\n".join(row[0] for row in db.execute("select data from events"))
    assert "[card number removed]" in stored
    assert "[card security code removed]" in stored
    for form in ("4111 1111 1111 1111", "4111111111111111", "cvv 737"):
        assert form not in stored
        assert form not in stack.logs()
