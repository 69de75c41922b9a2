"""A Slovenian customer, end to end over REST: every capability in Slovenian, and a switch of
language in the middle of a conversation (issue 12).

The website's /sl/ page sends `"language": "sl"` in the widget's customData, which reaches Rasa as
message metadata; the REST channel takes the same metadata, so these conversations start exactly
as one on /sl/ does. One conversation starts with no metadata and is recognised as Slovenian
from its first message.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx

from tests.e2e.conftest import SERVICE_TOKEN, Stack
from tests.e2e.test_billing_depth import latest_code

SLOVENIAN_PAGE = {"language": "sl"}
EURO = r"\d+,\d{2} €"
SL_DATE = r"\d{1,2}\. \d{1,2}\. \d{4}"


def chat_raw(
    stack: Stack, sender: str, text: str, metadata: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    response.raise_for_status()
    return list(response.json())


def say(stack: Stack, sender: str, text: str) -> list[str]:
    """One message from the Slovenian page; the bot's texts."""
    return [m.get("text", "") for m in chat_raw(stack, sender, text, SLOVENIAN_PAGE)]


def verify_in_slovenian(
    stack: Stack, sender: str, question: str, account: str, born: str
) -> list[str]:
    asked = " ".join(say(stack, sender, question))
    assert "Kakšna je vaša številka računa?" in asked, asked
    asked = " ".join(say(stack, sender, account))
    assert "datum rojstva ali poštno številko" in asked, asked
    return say(stack, sender, born)


def step_up_in_slovenian(stack: Stack, sender: str, yes: str) -> list[str]:
    """Yes to a proposal, pick the first contact, type the code from the outbox."""
    reply = chat_raw(stack, sender, yes, SLOVENIAN_PAGE)
    assert "Kam naj jo pošljemo?" in reply[-1]["text"], reply
    buttons = reply[-1]["buttons"]
    asked = " ".join(
        m.get("text", "") for m in chat_raw(stack, sender, buttons[0]["payload"], SLOVENIAN_PAGE)
    )
    assert "vpišite 6-mestno kodo" in asked, asked
    return say(stack, sender, latest_code(stack))


def test_ana_on_the_slovenian_page_verifies_hears_her_balance_her_invoice_and_why_it_went_up(
    stack: Stack, sender: str
) -> None:
    hello = say(stack, sender, "Dober dan")
    assert hello[0].startswith("Pozdravljeni, sem asistent za obračun"), hello
    replies = verify_in_slovenian(stack, sender, "koliko dolgujem?", "100001", "14. 3. 1985")
    assert replies[0] == "Hvala, Ana, vaša identiteta je potrjena.", replies
    assert re.fullmatch(rf"Vaše stanje je 54,17 €, rok plačila je {SL_DATE}\.", replies[1]), replies

    invoice = say(stack, sender, "mi lahko razložite zadnji račun?")
    assert re.match(r"Račun INV-100001-\d{6} za \w+ \d{4}, rok plačila " + SL_DATE, invoice[0])
    bullets = [line for line in invoice[1].splitlines() if line.startswith("• ")]
    assert len(bullets) >= 3
    assert any(line.endswith(": 39,90 €") for line in bullets), bullets
    assert any(line.endswith(": 9,77 €") for line in bullets), bullets
    # Line names in Slovenian too, not the stored English (bot/billing/line_names.py)
    assert any(line.startswith("• DDV 22 %: ") for line in bullets), bullets
    stored_english = ("VAT", "Extra data", "November")
    assert not any(word in invoice[1] for word in stored_english), invoice
    assert invoice[2] == "Skupaj: 54,17 €"

    why = say(stack, sender, "zakaj je moj račun višji kot prejšnji mesec?")
    assert re.match(r"Vaš račun za \w+ \d{4} znaša 54,17 €, kar je 17,69 € več kot za", why[0]), why
    assert "+10,00 €" in why[1]
    assert "+4,50 €" in why[1]

    charge = say(stack, sender, "kaj je postavka 4,50 €?")
    assert "4,50 €" in " ".join(charge), charge
    assert "EUR" not in " ".join(charge)

    later = " ".join(say(stack, sender, "ali lahko plačam kasneje?"))
    assert re.search(rf"Dolgujete 54,17 €, rok plačila je {SL_DATE}\.", later), later
    assert "Kaj bi vam ustrezalo?" in later

    disputes = " ".join(say(stack, sender, "kako je z mojo reklamacijo?"))
    assert "reklamacij" in disputes, disputes

    discount = " ".join(say(stack, sender, "ali lahko dobim popust?"))
    assert "Upravičeni ste do ponudbe" in discount or "ne morem ponuditi popusta" in discount, (
        discount
    )

    wrong = " ".join(say(stack, sender, "postavka 39,90 € na računu je napačna"))
    assert "Vaše zadnje račune sem preveril po naših pravilih za obračun" in wrong, wrong
    if "Naj odprem reklamacijo" in wrong:
        opened = " ".join(say(stack, sender, "da"))
        assert re.search(r"Odprl sem reklamacijo #\d+", opened), opened


def customer(stack: Stack, where: str, *args: str) -> tuple[str, str]:
    """A seeded customer the other e2e tests leave alone (not 100001-100004): account number and
    date of birth written the Slovenian way ("3. 12. 1993"). The data is shared by the session's
    tests, so changes made here (a credit, a cancellation) must not touch theirs."""
    query = (
        "SELECT a.account_number, c.date_of_birth FROM accounts a"
        " JOIN customers c ON c.id = a.customer_id"
        f" WHERE a.status = 'active' AND a.account_number > '100004' AND {where}"
        " ORDER BY a.account_number LIMIT 1"
    )
    with sqlite3.connect(stack.workdir / "billing.db") as db:
        row = db.execute(query, args).fetchone()
    assert row, query
    born = date.fromisoformat(row[1])
    return str(row[0]), f"{born.day}. {born.month}. {born.year}"


def test_a_double_charge_is_credited_in_slovenian_with_a_one_time_code(
    stack: Stack, sender: str
) -> None:
    account, born = customer(
        stack,
        "a.id IN (SELECT account_id FROM seeded_billing_errors WHERE rule = ?)",
        "duplicate_charge",
    )
    verify_in_slovenian(stack, sender, "stanje prosim", account, born)
    proposal = " ".join(say(stack, sender, "isto postavko ste mi zaračunali dvakrat!"))
    assert "Vaše račune sem preveril in našel napako" in proposal, proposal
    credit = re.search(rf"Na vaš račun vam lahko vrnem ({EURO})\. Naj to storim\?", proposal)
    assert credit, proposal  # the charge with its VAT
    done = step_up_in_slovenian(stack, sender, "da")
    assert done[0].startswith(f"Urejeno: na vaš račun sem vrnil {credit.group(1)}"), done


def test_plans_an_offer_or_the_terms_and_a_cancellation_in_slovenian(
    stack: Stack, sender: str
) -> None:
    account, born = customer(
        stack,
        "a.id NOT IN (SELECT account_id FROM seeded_billing_errors) AND a.account_number >= ?",
        "100020",
    )
    verify_in_slovenian(stack, sender, "koliko moram plačati", account, born)
    plans = " ".join(say(stack, sender, "kateri paket bi bil zame cenejši?"))
    assert re.search(r"Vaša poraba podatkov|Vaša pogodba velja do|Najcenejši paket|[Pp]aket", plans)
    assert "EUR" not in plans, plans
    answer = " ".join(say(stack, sender, "želim odpovedati pogodbo"))
    if "Preden se odločite: ponudim vam lahko" in answer:  # the policy offers a discount first
        assert re.search(r"\d+ % popusta na vaš paket za \d+ mesec", answer), answer
        assert "Jo želite?" in answer
        answer = " ".join(say(stack, sender, "ne, hvala"))
    assert re.search(rf"Če storitev odpoveste zdaj, se izteče {SL_DATE} \(\d+ dn", answer), answer
    assert "Želite, da zabeležim vašo zahtevo za odpoved?" in answer
    recorded = " ".join(step_up_in_slovenian(stack, sender, "da"))
    assert re.search(
        rf"Vaša zahteva za odpoved je zabeležena: storitev se izteče {SL_DATE}\.", recorded
    ), recorded


@contextmanager
def desk_session(stack: Stack, username: str) -> Iterator[httpx.Client]:
    """A demo agent logged in at the desk for the block; logging out takes them off duty."""
    with httpx.Client(base_url=stack.backend_url, timeout=30) as desk:
        form = desk.get("/desk/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, "the login form carries a CSRF token"
        login = {"username": username, "password": f"{username}-demo", "csrf_token": token.group(1)}
        assert desk.post("/desk/login", data=login).status_code == 303
        try:
            yield desk
        finally:
            desk.headers["X-CSRF-Token"] = desk.get("/desk/api/me").json()["csrf_token"]
            desk.post("/desk/logout")


def nobody_on_duty(stack: Stack) -> None:
    """Earlier tests (browsers left open) may have left an agent on duty in this shared stack."""
    for username in ("maria", "tomaz", "sara"):
        with desk_session(stack, username):
            pass


def ticket_of(stack: Stack, conversation: str) -> dict[str, Any]:
    """The conversation's ticket as an agent sees it at the desk (Maria, logged in for this)."""
    response = httpx.get(
        f"{stack.backend_url}/api/v1/handoffs/by-conversation/{conversation}",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=30,
    )
    response.raise_for_status()
    ticket = response.json()["ticket_id"]
    with desk_session(stack, "maria") as desk:
        detail = desk.get(f"/desk/api/tickets/{ticket}")
        detail.raise_for_status()
        return dict(detail.json())


def test_a_person_or_a_callback_in_slovenian_and_the_ticket_is_marked_slovenian(
    stack: Stack, sender: str
) -> None:
    """Nobody is on duty, so the customer chooses: a callback, or waiting."""
    nobody_on_duty(stack)
    verify_in_slovenian(stack, sender, "stanje", "100001", "14. marca 1985")
    choice = chat_raw(stack, sender, "želim govoriti z osebo", SLOVENIAN_PAGE)
    text, buttons = choice[-1]["text"], choice[-1]["buttons"]
    assert "Lahko vas pokličemo ob času, ki vam ustreza" in text, text
    titles = [button["title"] for button in buttons]
    assert titles[-1] == "Nadaljuj z asistentom", titles
    assert any(title.startswith("Pokličite me: ") for title in titles), titles
    assert ticket_of(stack, sender)["language"] == "sl"
    callback = next(b for b in buttons if b["title"].startswith("Pokličite me: "))
    booked = " ".join(say(stack, sender, callback["payload"]))
    assert booked.startswith("Dogovorjeno: sodelavec iz naše ekipe za obračun vas bo poklical"), (
        booked
    )

    waiting = f"{sender}-wait"
    verify_in_slovenian(stack, waiting, "stanje", "100001", "14.3.1985")
    choice = chat_raw(stack, waiting, "rad bi govoril s človekom", SLOVENIAN_PAGE)
    wait = next((b for b in choice[-1]["buttons"] if b["title"] == "Počakam na osebo"), None)
    if wait is not None:  # the desk is open: the customer may wait here
        queued = " ".join(say(stack, waiting, wait["payload"]))
        assert "v čakalni vrsti" in queued or "naslednji na vrsti" in queued, queued
        assert "Ostanite na tej strani; odgovori bodo prikazani tukaj." in queued
    assert ticket_of(stack, waiting)["language"] == "sl"


def test_detected_from_the_first_message_and_switched_both_ways(stack: Stack, sender: str) -> None:
    first = [m.get("text", "") for m in chat_raw(stack, sender, "Pozdravljeni, koliko dolgujem?")]
    assert "Kakšna je vaša številka računa?" in " ".join(first), first
    chat_raw(stack, sender, "100001")
    verified = [m.get("text", "") for m in chat_raw(stack, sender, "14. marec 1985")]
    assert verified[1].startswith("Vaše stanje je 54,17 €"), verified

    english = [m.get("text", "") for m in chat_raw(stack, sender, "English please")]
    assert english == ["Sure, let's continue in English. What can I do for you?"]
    balance = [m.get("text", "") for m in chat_raw(stack, sender, "what's my balance?")]
    assert balance[0].startswith("Your balance is 54.17 EUR, due by"), balance

    back = [m.get("text", "") for m in chat_raw(stack, sender, "lahko po slovensko?")]
    assert back == ["Seveda, nadaljujva v slovenščini. Kako vam lahko pomagam?"]
    again = [m.get("text", "") for m in chat_raw(stack, sender, "kdaj moram plačati?")]
    assert again[0].startswith("Naslednje plačilo v znesku 54,17 € zapade"), again
