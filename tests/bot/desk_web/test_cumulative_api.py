"""The issue's reproductions through the desk API: a credit of the invoice's whole amount three
times with new Idempotency-Keys is granted once; two 30 % discounts for the same 12 months are
granted once (agent tier 30 %, supervisor tier 50 %). Each refusal says what remains."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.bot.api_helpers import expect_error
from tests.bot.desk_web.helpers import log_in, open_ticket

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock


def _claimed(client: TestClient, engine: Engine, clock: FakeClock, name: str, who: str) -> int:
    ticket_id = open_ticket(client, engine, clock, name, verified=True)
    log_in(client, who)
    assert client.post(f"/desk/api/tickets/{ticket_id}/claim").status_code == 200
    return ticket_id


def test_three_whole_invoice_credits_are_granted_once(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = _claimed(desk_client, seeded_db, clock, "repeat-credit", "maria")
    invoice = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()["invoices"][0]
    body = {"amount": invoice["total"], "invoice_number": invoice["number"], "reason": "sorry"}
    path = f"/desk/api/tickets/{ticket_id}/credits"

    answers = [
        desk_client.post(path, json=body, headers={"Idempotency-Key": f"repeat-credit-{n}"})
        for n in range(3)
    ]

    assert answers[0].status_code == 201, answers[0].text
    for refused in answers[1:]:
        message = expect_error(refused, 409, "credit_exceeds_invoice")
        assert "at most 0.00 EUR more can be credited" in message
        assert refused.json()["error"]["remaining"] == "0.00"


def test_two_thirty_percent_discounts_are_granted_once(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    body = {"percent": 30, "months": 12, "reason": "loyal customer"}
    for who in ("maria", "sara"):
        ticket_id = _claimed(desk_client, seeded_db, clock, f"repeat-discount-{who}", who)
        path = f"/desk/api/tickets/{ticket_id}/discounts"
        answers = [
            desk_client.post(path, json=body, headers={"Idempotency-Key": f"d-{who}-{n}"})
            for n in range(2)
        ]
        if who == "maria":
            assert answers[0].status_code == 201, answers[0].text
            expect_error(answers[1], 403, "authority_used_up")
            assert answers[1].json()["error"]["remaining"] == "0%"
        else:  # maria's 30 % already runs in those months: 20 % remain of the 50 %
            for answer in answers:
                assert "at most 20%" in expect_error(answer, 403, "authority_used_up")
                assert answer.json()["error"]["remaining"] == "20%"
