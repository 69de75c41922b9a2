"""Every API text for the customer in the requested language (issue 12): Accept-Language sl or en,
English when absent or unknown; keys present in both catalogues, amounts and dates per language."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import i18n
from bot.core.language import Language, negotiate
from bot.core.texts import Texts
from tests.bot.commerce.conftest import Conversation

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

SL = {"Accept-Language": "sl"}
EN = {"Accept-Language": "en"}


def chat(
    client: TestClient, engine: Engine, account: str, language: dict[str, str]
) -> Conversation:
    client.headers.update(language)
    return Conversation(client, engine, account, f"lang-{account}-{language['Accept-Language']}")


def explanations(body: dict[str, Any], key: str) -> list[str]:
    return [item["explanation"] for item in body[key]]


@pytest.fixture(autouse=True)
def _no_missing_message(caplog: pytest.LogCaptureFixture) -> Any:
    """A Slovenian key missing would fall back to English with a warning: none may appear."""
    with caplog.at_level(logging.WARNING, logger="i18n"):
        yield
    missing = [r for r in caplog.records if r.getMessage() == "i18n.missing_message"]
    assert missing == []


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("sl", "sl"),
        ("sl-SI", "sl"),
        ("SL-si,en;q=0.5", "sl"),
        ("en", "en"),
        ("de", "en"),
        ("de, sl;q=0.8", "sl"),
        ("sl;q=0.4, en;q=0.9", "en"),
        ("sl;q=0", "en"),
        ("sl;q=abc", "en"),
        ("*", "en"),
        ("x" * 5000, "en"),
        ("," * 500 + "sl", "en"),  # read no further than 20 ranges
    ],
)
def test_the_language_of_a_request(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_the_product_languages_are_the_catalogues() -> None:
    assert {member.value for member in Language} == set(i18n.LANGUAGES)


def test_invoice_lines_explained_in_slovenian_and_english(
    client: TestClient, seeded_db: Engine
) -> None:
    ana = chat(client, seeded_db, "100001", SL).verify()
    latest = ana.get("/invoices/latest").json()
    assert explanations(latest, "lines") == [
        "Mesečna naročnina za paket Fiber 300 za obdobje 1.–31. oktobra 2026.",
        "Poraba nad količino, vključeno v vaš paket, za mesec oktober 2026: 3 GB po 1,50 € za "
        "enoto.",
        "22 % DDV od zgornjih postavk.",
    ]
    assert ana.get(f"/invoices/{latest['number']}").json()["lines"] == latest["lines"]
    assert latest["total"] == "54.17"  # amounts stay machine-readable; the texts are localised
    client.headers.update(EN)
    assert explanations(ana.get("/invoices/latest").json(), "lines") == [
        "Your monthly Fiber 300 plan for 1–31 October 2026.",
        "Extra usage beyond your plan's allowance in October 2026: 3 GB at 1.50 EUR each.",
        "22% VAT on the charges above.",
    ]
    del client.headers["Accept-Language"]
    assert explanations(ana.get("/invoices/latest").json(), "lines")[2] == (
        "22% VAT on the charges above."
    )
    client.headers["Accept-Language"] = "fr-FR"
    assert explanations(ana.get("/invoices/latest").json(), "lines")[2] == (
        "22% VAT on the charges above."
    )


def test_why_the_bill_changed_in_slovenian(client: TestClient, seeded_db: Engine) -> None:
    ana = chat(client, seeded_db, "100001", SL).verify()
    assert explanations(ana.get("/invoices/latest/changes").json(), "changes") == [
        "Vaš pozdravni popust v višini 10,00 € na mesec se je iztekel 30. septembra 2026, zato "
        "paket spet stane polno ceno.",
        "Poraba nad vključeno količino: na tem računu 3 GB (4,50 €), na zadnjem je ni bilo.",
        "DDV (22 %) se spremeni skupaj z zgornjimi postavkami: 3,19 € več.",
    ]
    marko = chat(client, seeded_db, "100002", SL).verify()
    number = marko.get("/invoices/latest").json()["number"]
    assert explanations(marko.get(f"/invoices/{number}/changes").json(), "changes")[0] == (
        "Postavka »Paket za gostovanje« je za obdobje 1.–31. oktobra 2026 zaračunana dvakrat: "
        "dodatnih 9,99 € je najverjetneje napaka pri obračunu."
    )


def test_a_charge_is_found_by_its_slovenian_explanation(
    client: TestClient, seeded_db: Engine
) -> None:
    marko = chat(client, seeded_db, "100002", SL).verify()
    found = marko.get("/charges?text=gostovanje&month=2026-10").json()["charges"]
    assert [c["kind"] for c in found] == ["add_on", "add_on"]
    assert found[0]["explanation"] == (
        "Mesečni dodatek »Paket za gostovanje« za obdobje 1.–31. oktobra 2026 (9,99 € na mesec)."
    )
    client.headers.update(EN)
    assert marko.get("/charges?text=gostovanje&month=2026-10").json()["charges"] == []


def test_a_stored_finding_reads_in_either_language(client: TestClient, seeded_db: Engine) -> None:
    marko = chat(client, seeded_db, "100002", SL).verify()
    review = marko.write("POST", "/reviews", {})
    assert review.status_code == 200, review.text
    [finding] = review.json()["findings"]
    assert finding["summary"] == (
        "Postavka »Paket za gostovanje, oktober 2026« (9,99 €) je za obdobje 1.–31. oktobra 2026 "
        "zaračunana dvakrat: račun INV-100002-202611 isti znesek vsebuje že drugič."
    )
    client.headers.update(EN)
    [listed] = marko.get("/findings").json()["findings"]
    assert listed["summary"] == (
        "Roaming pack, October 2026 (9.99 EUR) is charged twice for 1–31 October 2026: "
        "INV-100002-202611 repeats a charge already on the same invoice."
    )
    client.headers.update(SL)
    assert marko.get("/findings").json()["findings"][0]["summary"] == finding["summary"]


def test_plans_terms_and_arrangements_in_slovenian(client: TestClient, seeded_db: Engine) -> None:
    ana = chat(client, seeded_db, "100001", SL).verify()
    assert ana.get("/plan-options").json()["summary"] == (
        "Paket Fiber 300 je že najboljši za vašo porabo."
    )
    assert ana.get("/arrangement-options").json()["reason"] == (
        "plačilo lahko prestavite na poznejši datum ali ga razdelite na obroke"
    )
    marko = chat(client, seeded_db, "100002", SL).verify()
    quote = client.post(
        f"{marko.base}/plan-changes/quote", json={"plan_code": "mobile-5gb"}, headers=marko.headers
    )
    assert quote.json()["changes"] == [
        "paket Mobile 20GB se danes zamenja s paketom Mobile 5GB",
        "mesečna cena: 19,90 € -> 9,90 €",
        "naslednji račun se za preostanek tega meseca spremeni za -5,33 €",
    ]
    client.headers.update(EN)
    again = client.post(
        f"{marko.base}/plan-changes/quote", json={"plan_code": "mobile-5gb"}, headers=marko.headers
    )
    assert again.json()["changes"][1] == "monthly price 19.90 -> 9.90 EUR"


def test_an_offer_is_named_in_slovenian(client: TestClient, seeded_db: Engine) -> None:
    eva = chat(client, seeded_db, "100003", SL).verify()
    decided = eva.write("POST", "/offers", {"trigger": "cancellation"})
    assert decided.status_code == 201, decided.text
    assert decided.json()["offer"]["name"] == "popust za zvestobo"
    client.headers.update(EN)
    offer_id = decided.json()["offer"]["id"]
    declined = eva.write("POST", f"/offers/{offer_id}/decline")
    assert declined.json()["offer"]["name"] == "Loyalty discount"


def test_callback_windows_are_labelled_in_the_tickets_language(client: TestClient) -> None:
    labels = {}
    for language in ("sl", "en"):
        body = {"conversation_id": f"cb-{language}", "reason": "customer_request"}
        opened = client.post("/api/v1/handoffs", json={**body, "language": language})
        assert opened.status_code == 201, opened.text
        labels[language] = [w["label"] for w in opened.json()["callback_windows"]]
    assert labels["sl"], "the default opening hours offer windows"
    assert len(labels["sl"]) == len(labels["en"])
    for slovenian, english in zip(labels["sl"], labels["en"], strict=True):
        assert slovenian.split()[-1] == english.split()[-1]  # the same hours
        assert re.match(r"(Danes|Jutri|(pon|tor|sre|čet|pet|sob|ned)\., \d+\. \d+\.) ", slovenian)
        assert re.match(r"(Today|Tomorrow|[A-Z][a-z]{2} \d+ [A-Z][a-z]{2}) ", english)


_KEY = re.compile(
    r"""["'](?P<key>(?:line|change|finding|plan|arrangement|callback|page|widget|desk|range|unit"""
    r"""|list)\.[a-z_.]*[a-z_])["']"""
)
# Same-looking names that are not catalogue keys: audit actions, log events, file names.
_NOT_TEXT = re.compile(r"(action=|logger\.\w+\(|event=)\s*$")


def _catalogue_keys(source: str) -> set[str]:
    keys = set()
    for found in _KEY.finditer(source):
        before = source[max(0, found.start() - 30) : found.start()]
        if _NOT_TEXT.search(before) or found["key"].endswith((".html", ".css", ".js")):
            continue
        keys.add(found["key"])
    return keys


def test_every_key_the_back_end_names_is_in_both_catalogues() -> None:
    """Literal keys in the modules of bot/ that write texts (dynamic suffixes are exercised by
    the API tests above)."""
    root = Path(__file__).resolve().parents[2] / "bot"
    sources = [p.read_text("utf-8") for p in root.rglob("*.py")]
    writing = [source for source in sources if "from bot.core.texts import" in source]
    keys = set().union(*(_catalogue_keys(source) for source in writing))
    assert len(keys) > 60
    for language in Language:
        texts = Texts(language)
        assert sorted(k for k in keys if not texts.has(k)) == [], language
