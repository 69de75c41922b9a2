"""SQL statements per verified read: a fixed number, whatever the account's history (no N+1).

Counted with a SQLAlchemy `before_cursor_execute` listener on the app's engine, on SQLite and on
PostgreSQL. Eva has 36 invoices, Luka 8: a query per invoice or per line would show as a
difference. The budgets are today's counts; a read that needs more should say why here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, insert, select, text

from bot.billing.models import Account, Invoice, InvoiceLine
from bot.billing.types import LineKind

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

DEMO = {
    "100001": "1985-03-14",  # Ana, 13 invoices
    "100002": "1979-11-02",  # Marko, 18 invoices, a duplicate roaming pack on the latest
    "100003": "1992-07-21",  # Eva, 36 invoices
    "100004": "2001-01-09",  # Luka, 8 invoices
}
READS: dict[str, tuple[str, str, dict[str, str]]] = {
    "balance": ("GET", "/balance", {}),
    "latest invoice": ("GET", "/invoices/latest", {}),
    "bill changes": ("GET", "/invoices/latest/changes", {}),
    "charge lookup": ("GET", "/charges", {"text": "plan"}),
    "review": ("POST", "/reviews", {}),
}
BUDGET = {
    "balance": 4,
    "latest invoice": 5,
    "bill changes": 5,
    "charge lookup": 5,
    "review": 12,  # reads, the new findings' invoices, audit and idempotency rows
}


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends inside the block."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _verify(client: TestClient, account: str) -> dict[str, str]:
    conversation = f"count-{account}-{uuid.uuid4().hex[:8]}"
    body = {"conversation_id": conversation, "account_number": account}
    answer = client.post("/api/v1/verifications", json={**body, "date_of_birth": DEMO[account]})
    assert answer.json()["status"] == "verified", answer.text
    return {"X-Conversation-Id": conversation}


def _statements(client: TestClient, account: str, read: str, headers: dict[str, str]) -> list[str]:
    method, path, params = READS[read]
    engine = client.app.state.engine  # type: ignore[attr-defined]
    if method == "POST":
        headers = {**headers, "Idempotency-Key": f"{headers['X-Conversation-Id']}:{read}"}
    with statements(engine) as sent:
        response = client.request(
            method, f"/api/v1/accounts/{account}{path}", params=params, headers=headers
        )
    assert response.status_code == 200, response.text
    return sent


@pytest.mark.parametrize("read", list(READS))
def test_a_read_sends_the_same_statements_for_a_short_and_a_long_history(
    client: TestClient, read: str
) -> None:
    """Ana (13 invoices), Eva (36) and Luka (8); none of them has a finding to store."""
    counts = {
        account: len(_statements(client, account, read, _verify(client, account)))
        for account in ("100001", "100003", "100004")
    }
    assert len(set(counts.values())) == 1, counts
    assert counts["100003"] <= BUDGET[read], counts


def _duplicate_roaming_twice(engine: Engine) -> None:
    """Two more roaming packs charged twice, on two of Marko's earlier invoices."""
    with engine.begin() as connection:
        marko = connection.scalar(select(Account.id).where(Account.account_number == "100002"))
        roaming = connection.execute(
            select(InvoiceLine)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.account_id == marko, InvoiceLine.kind == LineKind.ADD_ON)
            .order_by(Invoice.period_start.desc(), InvoiceLine.id)
        ).all()
        earlier = [line for line in roaming if line.invoice_id != roaming[0].invoice_id][:2]
        assert len(earlier) == 2
        for line in earlier:
            values = dict(line._mapping)
            del values["id"], values["position"]
            connection.execute(insert(InvoiceLine).values(**values, position=99))


def _review(client: TestClient, language: str = "en") -> tuple[list[str], int]:
    """Marko's review: the statements it sent, and how many findings it stored."""
    headers = _verify(client, "100002")
    headers["Idempotency-Key"] = f"{headers['X-Conversation-Id']}:review"
    headers["Accept-Language"] = language
    with statements(client.app.state.engine) as sent:  # type: ignore[attr-defined]
        response = client.post("/api/v1/accounts/100002/reviews", headers=headers)
    assert response.status_code == 200, response.text
    return sent, int(response.json()["new_findings"])


def _reads(sent: list[str]) -> list[str]:
    return [statement for statement in sent if not statement.startswith("INSERT INTO review_")]


@pytest.fixture
def one_finding(client: TestClient) -> list[str]:
    """Marko's review storing his one seeded finding (the duplicated roaming pack)."""
    sent, stored = _review(client)
    assert stored == 1
    return sent


def test_review_reads_the_same_for_one_and_for_three_new_findings(
    client: TestClient, seeded_db: Engine, one_finding: list[str]
) -> None:
    """Marko's review stores one finding, or three with two more duplicates: apart from the
    INSERT of the findings (batched on PostgreSQL), the same statements."""
    with seeded_db.begin() as connection:  # forget the first review's findings
        connection.execute(text("DELETE FROM review_findings"))
    _duplicate_roaming_twice(seeded_db)
    sent, stored = _review(client)
    assert stored == 3
    assert len(_reads(sent)) == len(_reads(one_finding))
    assert len(sent) - len(_reads(sent)) <= 3
    assert len(_reads(one_finding)) <= BUDGET["review"]


def _forget_findings(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM review_findings"))


def test_slovenian_findings_name_their_lines_without_a_query_per_finding(
    client: TestClient, seeded_db: Engine
) -> None:
    """Read in Slovenian, a finding names its line from the line itself (its contract, add-on
    and late invoice joined into the findings' query, or the new findings' one): the review and
    the list send the same statements as in English, for one finding or three."""
    one, stored = _review(client, "sl")
    assert stored == 1
    _forget_findings(seeded_db)
    _duplicate_roaming_twice(seeded_db)
    three, stored = _review(client, "sl")
    assert stored == 3
    _forget_findings(seeded_db)
    english, stored = _review(client, "en")
    assert stored == 3
    assert len(_reads(one)) == len(_reads(three)) == len(_reads(english))
    again, stored = _review(client, "sl")  # the three stored findings, read again
    assert stored == 0
    assert len(again) <= len(_reads(three))
    headers = _verify(client, "100002")
    counts, summaries = {}, {}
    for language in ("sl", "en"):
        with statements(client.app.state.engine) as sent:  # type: ignore[attr-defined]
            listed = client.get(
                "/api/v1/accounts/100002/findings",
                headers={**headers, "Accept-Language": language},
            )
        assert listed.status_code == 200, listed.text
        counts[language] = len(sent)
        summaries[language] = [f["summary"] for f in listed.json()["findings"]]
    assert counts["sl"] == counts["en"], counts
    assert len(summaries["sl"]) == 3
    assert all(s.startswith("Postavka »Paket za gostovanje, ") for s in summaries["sl"])
    assert all(s.startswith("Roaming pack, ") for s in summaries["en"])
