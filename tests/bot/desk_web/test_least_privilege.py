"""Least privilege at the desk, through the desk API with two agents and a supervisor: the
account beside a ticket (account, invoices, findings, disputes, offers) is shown only to the
agent who claimed the ticket and to supervisors; the grants refuse everyone else with 403
`not_your_ticket`. The ticket itself (summary, transcript) stays visible so it can be claimed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.bot.api_helpers import expect_error
from tests.bot.desk_web.helpers import ACCOUNT, log_in, open_ticket

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock

ACCOUNT_PARTS = ("account", "invoices", "findings", "disputes", "offers")


def _detail(client: TestClient, ticket_id: int) -> dict[str, object]:
    answer = client.get(f"/desk/api/tickets/{ticket_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _hidden(detail: dict[str, object]) -> bool:
    return detail["account_visible"] is False and all(detail[k] is None for k in ACCOUNT_PARTS)


def _grants(client: TestClient, ticket_id: int, invoice: str, tag: str) -> list[object]:
    credit = client.post(
        f"/desk/api/tickets/{ticket_id}/credits",
        json={"amount": "1.00", "invoice_number": invoice, "reason": "sorry"},
        headers={"Idempotency-Key": f"lp-credit-{tag}"},
    )
    discount = client.post(
        f"/desk/api/tickets/{ticket_id}/discounts",
        json={"percent": 5, "months": 1, "reason": "sorry"},
        headers={"Idempotency-Key": f"lp-discount-{tag}"},
    )
    return [credit, discount]


def test_only_the_claimer_and_supervisors_see_and_grant(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "least-1", verified=True)

    log_in(desk_client, "maria")
    before_claim = _detail(desk_client, ticket_id)
    assert _hidden(before_claim)
    assert before_claim["summary"]  # the ticket is still there to be claimed
    for refused in _grants(desk_client, ticket_id, "INV-X", "maria-early"):
        expect_error(refused, 403, "not_your_ticket")
    assert desk_client.post(f"/desk/api/tickets/{ticket_id}/claim").status_code == 200
    mine = _detail(desk_client, ticket_id)
    assert mine["account_visible"] is True
    assert mine["account"]["account_number"] == ACCOUNT  # type: ignore[index]
    invoice = mine["invoices"][0]["number"]  # type: ignore[index]

    log_in(desk_client, "tomaz")  # another agent
    assert _hidden(_detail(desk_client, ticket_id))
    for refused in _grants(desk_client, ticket_id, invoice, "tomaz"):
        assert "another agent has this ticket" in expect_error(refused, 403, "not_your_ticket")

    log_in(desk_client, "sara")  # a supervisor
    theirs = _detail(desk_client, ticket_id)
    assert theirs["account_visible"] is True
    assert theirs["invoices"]
    assert [answer.status_code for answer in _grants(desk_client, ticket_id, invoice, "sara")] == [
        201,
        201,
    ]


def test_a_resolved_ticket_stays_with_its_claimer(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "least-2", verified=True)
    log_in(desk_client, "maria")
    desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")
    resolved = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/resolve",
        json={"outcome": "explained", "then": "hand_back", "note": ""},
    )
    assert resolved.status_code == 200, resolved.text
    assert _detail(desk_client, ticket_id)["account_visible"] is True
    log_in(desk_client, "tomaz")
    assert _hidden(_detail(desk_client, ticket_id))
