"""The desk's JSON API: sessions and CSRF on every route, roles, the ticket flow through a real
local fake Rasa (pause, agent reply, resume), authority limits, and account data only when
the customer was verified."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.language import Language
from bot.desk.lines import NOT_DELIVERED, hand_back
from tests.bot.api_helpers import expect_error
from tests.bot.desk_web.helpers import ACCOUNT, log_in, open_ticket

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock
    from tests.bot.desk_web.fake_rasa import FakeRasa


def desk_routes(client: TestClient) -> list[tuple[str, str]]:
    """(METHOD, path) of every /desk/api route, from the app's OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path.replace("{ticket_id}", "1"))
        for path, operations in paths.items()
        if path.startswith("/desk/api")
        for method in operations
    ]


def test_every_desk_api_route_needs_a_session(desk_client: TestClient) -> None:
    routes = desk_routes(desk_client)
    # 11 + service figures (2) + retention analytics (7: experiments, survival, practices,
    # uplift, the page's report, its CSV and the report's refresh)
    assert len(routes) == 20

    for method, path in routes:
        expect_error(desk_client.request(method, path, json={}), 401, "not_logged_in")


def test_writes_need_the_sessions_csrf_header(desk_client: TestClient) -> None:
    csrf = log_in(desk_client, "maria")
    writes = [(m, p) for m, p in desk_routes(desk_client) if m != "GET"]
    assert len(writes) == 7  # 6 ticket and duty writes, the retention report's refresh

    for header in (None, "wrong", ""):
        if header is None:
            del desk_client.headers["X-CSRF-Token"]
        else:
            desk_client.headers["X-CSRF-Token"] = header
        for method, path in writes:
            expect_error(desk_client.request(method, path, json={}), 403, "csrf")

    desk_client.headers["X-CSRF-Token"] = csrf
    assert desk_client.post("/desk/api/duty", json={"on_duty": False}).json() == {"on_duty": False}


def test_me_gives_the_role_limits_and_csrf_token(desk_client: TestClient) -> None:
    csrf = log_in(desk_client, "maria")

    me = desk_client.get("/desk/api/me").json()

    assert me["username"] == "maria"
    assert me["display_name"] == "Maria Novak"
    assert me["role"] == "agent"
    assert me["on_duty"] is True
    assert me["csrf_token"] == csrf
    assert me["credit_limit"] == "100.00"
    assert set(me["discount_limits"]) == {"max_percent", "max_monthly_amount", "max_months"}
    log_in(desk_client, "sara")
    assert desk_client.get("/desk/api/me").json()["credit_limit"] == "1000.00"


def test_stats_are_for_supervisors_only(desk_client: TestClient) -> None:
    log_in(desk_client, "maria")
    expect_error(desk_client.get("/desk/api/stats"), 403, "forbidden")

    log_in(desk_client, "sara")
    stats = desk_client.get("/desk/api/stats?hours=24")

    assert stats.status_code == 200
    assert {"queue_length", "agents_on_duty", "hourly", "handoffs_by_reason"} <= set(stats.json())
    assert len(stats.json()["hourly"]) == 24
    expect_error(desk_client.get("/desk/api/stats?hours=0"), 422, "invalid_request")


def test_claim_reply_and_hand_back_reach_rasa(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock, fake_rasa: FakeRasa
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "flow-1", verified=True)
    log_in(desk_client, "maria")
    queue = desk_client.get("/desk/api/queue").json()
    assert [t["id"] for t in queue["tickets"]] == [ticket_id]
    assert queue["agents_on_duty"] == 1

    claimed = desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "claimed"
    assert claimed.json()["claimed_by"] == "Maria Novak"
    sent = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/messages", json={"text": "I see a double charge."}
    )
    assert sent.status_code == 201, sent.text
    resolved = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/resolve",
        json={"outcome": "explained", "note": "double charge explained", "then": "hand_back"},
    )

    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert fake_rasa.kinds("flow-1") == ["pause", "bot", "resume", "action", "bot", "action"]
    assert fake_rasa.executed("flow-1") == ["action_ask_survey_after_handoff"]  # then it listens
    assert fake_rasa.bot_texts("flow-1") == [
        "Maria (billing team): I see a double charge.",
        hand_back(Language.EN),
    ]
    reply = next(r for r in fake_rasa.requests if r.body and r.body.get("event") == "bot")
    assert reply.query["execute_side_effects"] == "true"
    assert reply.query["output_channel"] == "latest"
    detail = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()
    agent_lines = [m for m in detail["messages"] if m["sender"] == "agent"]
    assert [(m["text"], m["agent_name"]) for m in agent_lines] == [
        ("I see a double charge.", "Maria Novak")
    ]
    assert desk_client.get("/desk/api/queue").json()["tickets"] == []


def test_close_resumes_and_says_goodbye(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock, fake_rasa: FakeRasa
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "flow-2", verified=False)
    log_in(desk_client, "maria")
    desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")

    closed = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/resolve", json={"outcome": "no_action", "then": "close"}
    )

    assert closed.json()["status"] == "closed"
    assert fake_rasa.kinds("flow-2") == ["pause", "resume", "action", "bot", "action"]
    assert "closed" in fake_rasa.bot_texts("flow-2")[0]
    assert fake_rasa.executed("flow-2") == ["action_ask_survey_after_handoff"]


def test_a_survey_rasa_cannot_ask_leaves_the_ticket_resolved(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock, fake_rasa: FakeRasa
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "flow-2b", verified=False)
    log_in(desk_client, "maria")
    desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")
    fake_rasa.execute_down = True

    resolved = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/resolve", json={"outcome": "no_action", "then": "hand_back"}
    )

    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert fake_rasa.executed("flow-2b") == []  # refused, so no listen appended after it
    assert fake_rasa.kinds("flow-2b") == ["pause", "resume", "action", "bot"]


def test_another_agents_ticket_cannot_be_claimed_or_answered(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock, fake_rasa: FakeRasa
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "flow-3", verified=False)
    log_in(desk_client, "tomaz")
    desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")
    log_in(desk_client, "maria")

    expect_error(desk_client.post(f"/desk/api/tickets/{ticket_id}/claim"), 409, "already_claimed")
    answer = desk_client.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "hi"})
    expect_error(answer, 403, "not_your_ticket")
    resolve = {"outcome": "other", "then": "close"}
    expect_error(
        desk_client.post(f"/desk/api/tickets/{ticket_id}/resolve", json=resolve),
        403,
        "not_your_ticket",
    )
    assert fake_rasa.kinds("flow-3") == ["pause"]  # tomaz's claim only


def test_with_rasa_down_a_reply_is_kept_marked_not_delivered(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock, fake_rasa: FakeRasa
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "flow-4", verified=False)
    log_in(desk_client, "maria")
    desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")
    fake_rasa.down = True

    answer = desk_client.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "Hello"})
    resolve = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/resolve", json={"outcome": "other", "then": "hand_back"}
    )

    expect_error(answer, 503, "rasa_unavailable")
    expect_error(resolve, 503, "rasa_unavailable")
    detail = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()
    assert detail["status"] == "claimed"  # not resolved while the bot would stay paused
    assert [(m["sender"], m["text"]) for m in detail["messages"][-2:]] == [
        ("agent", "Hello"),
        ("system", NOT_DELIVERED),
    ]


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": f"desk-test-{value}"}


def test_credits_within_and_beyond_the_roles_limit(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "credit-1", verified=True)
    log_in(desk_client, "maria")
    desk_client.post(f"/desk/api/tickets/{ticket_id}/claim")
    invoice = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()["invoices"][0]["number"]
    path = f"/desk/api/tickets/{ticket_id}/credits"

    goodwill = {"amount": "5.00", "invoice_number": invoice, "reason": "goodwill"}
    within = desk_client.post(path, json=goodwill, headers=key("credit-1-a"))
    retried = desk_client.post(path, json=goodwill, headers=key("credit-1-a"))
    beyond = desk_client.post(
        path,
        json={"amount": "100.01", "invoice_number": invoice, "reason": "goodwill"},
        headers=key("credit-1-b"),
    )

    assert within.status_code == 201, within.text
    assert within.json()["amount"] == "5.00"
    assert retried.json() == within.json()  # the same answer, and no second credit:
    after = desk_client.get(f"/desk/api/tickets/{ticket_id}").json()["account"]["balance"]
    assert after["balance"] == within.json()["balance"]
    expect_error(beyond, 403, "beyond_authority")
    too_much = desk_client.post(
        f"/desk/api/tickets/{ticket_id}/discounts",
        json={"percent": 100, "months": 60, "reason": "loyal customer"},
        headers=key("discount-1-a"),
    )
    expect_error(too_much, 403, "beyond_authority")
    without_key = desk_client.post(path, json=goodwill)
    assert without_key.status_code == 422  # a grant always carries its Idempotency-Key


def test_an_unverified_ticket_shows_no_account_data(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    unverified = open_ticket(desk_client, seeded_db, clock, "anon-1", verified=False)
    verified = open_ticket(desk_client, seeded_db, clock, "known-1", verified=True)
    log_in(desk_client, "maria")
    desk_client.post(f"/desk/api/tickets/{verified}/claim")  # the account is the claimer's

    anon = desk_client.get(f"/desk/api/tickets/{unverified}").json()
    known = desk_client.get(f"/desk/api/tickets/{verified}").json()

    for key in ("account", "invoices", "findings", "disputes", "offers"):
        assert anon[key] is None
    assert anon["customer_name"] is None
    assert anon["account_number"] is None
    assert [m["text"] for m in anon["messages"]][:1] == ["why is my bill so high"]
    assert known["account"]["account_number"] == ACCOUNT
    assert known["customer_name"] == known["account"]["name"]
    assert 1 <= len(known["invoices"]) <= 3
    assert all(line["explanation"] for inv in known["invoices"] for line in inv["lines"])
    assert isinstance(known["findings"], list)
    expect_error(desk_client.get("/desk/api/tickets/999999"), 404, "not_found")
