"""An invoice line's name in the customer's language (bot/billing/line_names.py): English as the
billing system stored it, Slovenian written from the line's facts, free text kept as stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from bot.billing import inquiries
from bot.billing.changes import InvoiceFacts, compare
from bot.billing.line_facts import LineFacts, line_facts
from bot.billing.line_names import line_name, rendered_name
from bot.billing.models import Contract, Invoice, InvoiceLine, Plan
from bot.billing.types import LineKind, PlanKind
from bot.core.language import Language
from bot.core.texts import Texts
from tests.bot.commerce.conftest import Conversation
from tests.bot.conftest import AS_OF
from tests.bot.safety_helpers import account

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

EN, SL = Texts(Language.EN), Texts(Language.SL)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def _facts(kind: LineKind, description: str, **values: object) -> LineFacts:
    values.setdefault("quantity", Decimal(1))
    return LineFacts(
        id=1,
        kind=kind,
        description=description,
        amount_cents=100,
        unit_price_cents=100,
        **values,  # type: ignore[arg-type]
    )


WELCOME = {"promo_end": date(2026, 8, 31), "contract_start": date(2025, 9, 1), "contract_id": 1}

# (line facts, its name in English as the billing system stores it, its name in Slovenian)
NAMED = {
    "plan_charge": (
        _facts(LineKind.PLAN_CHARGE, "Fiber 300, November 2026", name="Fiber 300", period=NOVEMBER),
        "Fiber 300, november 2026",
    ),
    "add_on": (
        _facts(
            LineKind.ADD_ON, "Roaming pack, November 2026", name="Roaming pack", period=NOVEMBER
        ),
        "Paket za gostovanje, november 2026",
    ),
    "usage_overage": (
        _facts(LineKind.USAGE_OVERAGE, "Extra data, 3 GB", quantity=Decimal("3.0000"), unit="GB"),
        "Dodatni prenos podatkov, 3 GB",
    ),
    "one_time_fee": (_facts(LineKind.ONE_TIME_FEE, "Installation"), "Priključitev"),
    "late_fee": (
        _facts(
            LineKind.LATE_FEE, "Late-payment fee (INV-100001-202609)", reference="INV-100001-202609"
        ),
        "Strošek zamude (INV-100001-202609)",
    ),
    "proration": (
        _facts(
            LineKind.PRORATION,
            "Fiber 1000, 15–31 March 2026 (partial month)",
            name="Fiber 1000",
            period=(date(2026, 3, 15), date(2026, 3, 31)),
        ),
        "Fiber 1000, 15.–31. marca 2026 (del meseca)",
    ),
    "tax": (_facts(LineKind.TAX, "VAT 22%", tax_rate=Decimal("0.2200")), "DDV 22 %"),
    "discount": (
        _facts(LineKind.DISCOUNT, "Welcome discount (12 months)", **WELCOME),
        "Pozdravni popust (12 mesecev)",
    ),
    "credit": (
        _facts(LineKind.CREDIT, "Service outage compensation"),
        "Nadomestilo za izpad storitve",
    ),
}


def test_every_line_kind_is_named() -> None:
    assert set(NAMED) == {str(kind) for kind in LineKind}


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_a_line_is_named_in_english_as_stored_and_in_slovenian_from_its_facts(kind: str) -> None:
    facts, slovenian = NAMED[kind]
    assert line_name(facts, EN) == facts.description
    assert rendered_name(facts, EN) == facts.description  # the catalogue mirrors the stored text
    assert line_name(facts, SL) == slovenian


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_english_is_the_stored_text_whatever_the_facts_say(kind: str) -> None:
    facts, _ = NAMED[kind]
    typed = _facts(facts.kind, "Typed by hand", name="Fiber 300", period=NOVEMBER)
    assert line_name(typed, EN) == "Typed by hand"


def _welcome(months_until: date) -> LineFacts:
    return _facts(
        LineKind.DISCOUNT, "Welcome", promo_end=months_until, contract_start=date(2026, 9, 1)
    )


def _plan(kind: LineKind, name: str, first: date, last: date) -> LineFacts:
    return _facts(kind, f"{name}, typed", name=name, period=(first, last))


@pytest.mark.parametrize(
    ("facts", "slovenian"),
    [
        (
            _facts(LineKind.USAGE_OVERAGE, "Extra data, 2.5 GB", quantity=Decimal("2.5")),
            "Dodatni prenos podatkov, 2,5 GB",
        ),
        (_facts(LineKind.TAX, "VAT 9.5%", tax_rate=Decimal("0.095")), "DDV 9,5 %"),
        (_facts(LineKind.LATE_FEE, "Late-payment fee"), "Strošek zamude"),
        (
            _plan(LineKind.PLAN_CHARGE, "Fiber 300", date(2026, 11, 15), date(2026, 11, 30)),
            "Fiber 300, 15.–30. novembra 2026",
        ),
        (
            _plan(LineKind.PRORATION, "Mobile 5GB", date(2026, 12, 15), date(2027, 1, 14)),
            "Mobile 5GB, 15. decembra 2026 – 14. januarja 2027 (del meseca)",
        ),
        (_welcome(date(2026, 9, 30)), "Pozdravni popust (1 mesec)"),
        (_welcome(date(2026, 10, 31)), "Pozdravni popust (2 meseca)"),
        (_welcome(date(2026, 11, 30)), "Pozdravni popust (3 mesece)"),
        (_plan(LineKind.ADD_ON, "TV pack", *NOVEMBER), "TV-paket, november 2026"),
        (
            _facts(LineKind.DISCOUNT, "Retention discount 10%, 6 months"),
            "Popust ob odpovedi 10 %, 6 mesecev",
        ),
        (
            _facts(LineKind.DISCOUNT, "Retention discount 15%, 12 months"),
            "Popust ob odpovedi 15 %, 12 mesecev",
        ),
        (
            _facts(LineKind.DISCOUNT, "Retention discount 20%, 3 months"),
            "Popust ob odpovedi 20 %, 3 mesece",
        ),
        (_facts(LineKind.ONE_TIME_FEE, "Wi-Fi router"), "Usmerjevalnik Wi-Fi"),
    ],
)
def test_slovenian_numbers_months_and_plurals(facts: LineFacts, slovenian: str) -> None:
    assert line_name(facts, SL) == slovenian


@pytest.mark.parametrize(
    "facts",
    [
        _facts(LineKind.CREDIT, "Goodwill credit from Sara, sorry for the wait"),
        _facts(LineKind.DISCOUNT, "Retention discount, 6 months"),  # no contract: no facts
        _facts(LineKind.ONE_TIME_FEE, "Cable repair"),
        _facts(LineKind.PLAN_CHARGE, "Fiber 300, November 2026"),  # no plan loaded
        _facts(LineKind.ADD_ON, "Static IP, November 2026", name="Static IP"),  # no period
        _facts(LineKind.PRORATION, "Fiber 100, 1–14 June 2026 (partial month)", period=NOVEMBER),
        _facts(LineKind.TAX, "VAT 22%"),  # the invoice's rate not given
    ],
    ids=lambda facts: facts.description,
)
def test_free_text_or_a_line_without_its_facts_keeps_its_stored_text(facts: LineFacts) -> None:
    assert line_name(facts, SL) == facts.description


def test_facts_read_from_a_loaded_line() -> None:
    plan = Plan(name="Mobile 20GB", kind=PlanKind.MOBILE, overage_unit="GB")
    contract = Contract(plan=plan, start_date=date(2026, 1, 1))
    usage = InvoiceLine(
        id=5,
        kind=LineKind.USAGE_OVERAGE,
        description="Extra data, 4 GB",
        quantity=Decimal("4.0000"),
        unit_price_cents=150,
        amount_cents=600,
        period_start=NOVEMBER[0],
        period_end=NOVEMBER[1],
        contract=contract,
    )
    facts = line_facts(usage, Decimal("0.2200"))
    assert (facts.name, facts.unit, facts.contract_start, facts.tax_rate) == (
        "Mobile 20GB",
        "GB",
        date(2026, 1, 1),
        Decimal("0.2200"),
    )
    assert line_name(facts, SL) == "Dodatni prenos podatkov, 4 GB"


def test_why_a_bill_changed_lists_the_lines_by_their_slovenian_names() -> None:
    current = InvoiceFacts(
        NOVEMBER[0],
        Decimal("0.22"),
        (
            _facts(LineKind.ONE_TIME_FEE, "Installation"),
            LineFacts(2, LineKind.CREDIT, "Service outage compensation", -500, Decimal(1), -500),
        ),
    )
    explained = [
        change.explanation
        for change in compare(InvoiceFacts(NOVEMBER[0], Decimal("0.22"), ()), current, SL)
    ]
    assert explained == [
        "Dobropis v vašo korist: Nadomestilo za izpad storitve (5,00 €).",
        "Enkratni strošek: Priključitev (1,00 €); ne ponavlja se.",
    ]
    english = [
        change.explanation
        for change in compare(InvoiceFacts(NOVEMBER[0], Decimal("0.22"), ()), current, EN)
    ]
    assert english == [
        "A credit in your favour: Service outage compensation (5.00 EUR).",
        "A one-time charge: Installation (1.00 EUR); it does not repeat.",
    ]


def test_every_seeded_line_is_named_in_english_from_its_facts_as_stored(
    seeded_session: Session,
) -> None:
    """The English `line_name.*` texts are the billing system's formats: written from the facts,
    every seeded line's English name is its stored text, so Slovenian says the same."""
    invoices = seeded_session.scalars(
        select(Invoice).options(
            selectinload(Invoice.lines).options(
                joinedload(InvoiceLine.contract).joinedload(Contract.plan),
                joinedload(InvoiceLine.add_on),
                joinedload(InvoiceLine.related_invoice),
            )
        )
    ).all()
    kinds = set()
    for invoice in invoices:
        for line in invoice.lines:
            facts = line_facts(line, invoice.tax_rate)
            assert rendered_name(facts, EN) == line.description
            kinds.add(line.kind)
    assert kinds >= set(LineKind) - {LineKind.CREDIT}, "the seed has nearly every kind of line"


# -- through the API -----------------------------------------------------------------------


def test_the_latest_invoice_names_its_lines_in_the_requested_language(
    client: TestClient, seeded_db: Engine
) -> None:
    ana = Conversation(client, seeded_db, "100001", "line-names-100001").verify()
    url = "/api/v1/accounts/100001/invoices/latest"
    slovenian = client.get(url, headers={**ana.headers, "Accept-Language": "sl"}).json()
    assert [line["description"] for line in slovenian["lines"]] == [
        "Fiber 300, oktober 2026",
        "Dodatni prenos podatkov, 3 GB",
        "DDV 22 %",
    ]
    english = client.get(url, headers={**ana.headers, "Accept-Language": "en"}).json()
    assert [line["description"] for line in english["lines"]] == [
        "Fiber 300, October 2026",
        "Extra data, 3 GB",
        "VAT 22%",
    ]
    assert [line["amount"] for line in slovenian["lines"]] == [
        line["amount"] for line in english["lines"]
    ]


def _charges(session: Session, text: str, texts: Texts) -> list[tuple[str, str]]:
    found = inquiries.find_charges(
        session, account(session, "100001"), AS_OF, amount_cents=None, text=text, month=None,
        texts=texts,
    )  # fmt: skip
    return [(charge.kind, charge.description) for charge in found.charges]


@pytest.mark.parametrize(
    ("text", "texts", "expected"),
    [
        ("dodatni prenos podatkov", SL, [("usage_overage", "Dodatni prenos podatkov, 3 GB")]),
        ("prenos podatk", SL, [("usage_overage", "Dodatni prenos podatkov, 3 GB")]),
        ("extra data", SL, [("usage_overage", "Dodatni prenos podatkov, 3 GB")]),  # as printed
        ("extra data", EN, [("usage_overage", "Extra data, 3 GB")]),
        ("dodatni prenos podatkov", EN, []),  # English answers match English words
    ],
)
def test_a_charge_is_found_by_its_name_in_either_language(
    seeded_session: Session, text: str, texts: Texts, expected: list[tuple[str, str]]
) -> None:
    assert _charges(seeded_session, text, texts) == expected


def test_the_vat_line_is_found_by_its_slovenian_name(seeded_session: Session) -> None:
    found = _charges(seeded_session, "ddv 22 %", SL)
    assert found
    assert {kind for kind, _ in found} == {"tax"}
    assert {name for _, name in found} == {"DDV 22 %"}


# -- retention discounts: read from their exact stored text -------------------------------------


@pytest.mark.parametrize(
    ("description", "slovenian"),
    [
        ("Retention discount 10%, 6 months", "Popust ob odpovedi 10 %, 6 mesecev"),
        ("Retention discount 15%, 12 months", "Popust ob odpovedi 15 %, 12 mesecev"),
        ("Retention discount 20%, 6 months", "Popust ob odpovedi 20 %, 6 mesecev"),
    ],
)
def test_a_retention_discount_is_named_from_its_stored_text(
    description: str, slovenian: str
) -> None:
    """Its percent and months are stored only in its text (no contract, no link to the
    account's discount): the billing system's exact text is read back, English stays as stored."""
    facts = _facts(LineKind.DISCOUNT, description)
    assert line_name(facts, SL) == slovenian
    assert line_name(facts, EN) == description
    assert rendered_name(facts, EN) == description  # the catalogue mirrors the generator's text


@pytest.mark.parametrize(
    "description",
    [
        "Retention discount 10%, 6 months (adjusted)",
        " Retention discount 10%, 6 months",
        "retention discount 10%, 6 months",
        "Retention discount 10 %, 6 months",
        "Retention discount 7.5%, 6 months",
        "Retention discount 010%, 6 months",
        "Retention discount 0%, 6 months",
        "Retention discount 101%, 6 months",
        "Retention discount 10%, 6 month",
        "Retention discount 10%, six months",
        "Retention discount 10%, 100 months",
        "Retention discount 10%,\n6 months",
        "Loyalty discount 10%, 6 months",
    ],
)
def test_any_other_discount_text_keeps_its_stored_text(description: str) -> None:
    assert line_name(_facts(LineKind.DISCOUNT, description), SL) == description


def test_the_retention_text_on_another_kind_of_line_is_kept() -> None:
    credit = _facts(LineKind.CREDIT, "Retention discount 10%, 6 months")
    assert line_name(credit, SL) == "Retention discount 10%, 6 months"


def test_a_welcome_discount_is_named_from_its_contract_whatever_its_text() -> None:
    typed = _facts(LineKind.DISCOUNT, "Retention discount 10%, 6 months", **WELCOME)
    assert line_name(typed, SL) == "Pozdravni popust (12 mesecev)"


def test_seeded_retention_discounts_read_in_slovenian(seeded_session: Session) -> None:
    lines = seeded_session.scalars(
        select(InvoiceLine).where(
            InvoiceLine.kind == LineKind.DISCOUNT,
            InvoiceLine.description.startswith("Retention discount"),
        )
    ).all()
    assert lines, "the test seed has retention discounts"
    for line in lines:
        name = line_name(line_facts(line), SL)
        assert name.startswith("Popust ob odpovedi "), name
        assert name.endswith(" mesecev"), name  # 6 or 12 months
