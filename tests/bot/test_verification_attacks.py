"""The issue's verification attacks, replayed against the real app over HTTP (uvicorn on a
loopback port) on SQLite and PostgreSQL: guessing common postcodes across consecutive account
numbers, and parallel wrong answers racing the lockout."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, select

from bot.api.app import create_app
from bot.billing.models import Account as AccountRow
from bot.billing.models import Customer, VerificationAttempt, VerifiedSession
from bot.settings import Settings
from tests.bot.conftest import TOKEN, FakeClock

PARALLEL = 17
ACCOUNTS = [f"1000{n:02d}" for n in range(1, 61)]  # 60 consecutive account numbers


@pytest.fixture
def server(api_settings: Settings, clock: FakeClock, seeded_db: Engine) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port (a thread pool answers in parallel)."""
    app = create_app(api_settings, clock=clock)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    # log_config=None as `bot serve`: uvicorn installs no handlers that bypass the root logger.
    config = uvicorn.Config(app, log_level="warning", lifespan="on", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
    listener.close()
    app.state.engine.dispose()


def _http(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)


def _verify(http: httpx.Client, **body: Any) -> dict[str, Any]:
    response = http.post("/api/v1/verifications", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_common_postcodes_on_sixty_consecutive_accounts_verify_none(
    server: str, seeded_db: Engine
) -> None:
    with seeded_db.connect() as connection:
        guessable = connection.scalars(
            select(AccountRow.account_number)
            .join(Customer, AccountRow.customer_id == Customer.id)
            .where(AccountRow.account_number.in_(ACCOUNTS), Customer.postcode.in_(["3000", "2000"]))
        ).all()
    assert len(guessable) >= 2  # the guesses are right for some of them: the test is not empty
    statuses: Counter[str] = Counter()
    with _http(server) as http:
        for account in ACCOUNTS:
            for n, postcode in enumerate(["3000", "2000"]):
                # A fresh conversation per guess and no address: only the postcode rule can stop it.
                answer = _verify(
                    http,
                    conversation_id=f"sweep-{account}-{n}",
                    account_number=account,
                    postcode=postcode,
                )
                statuses[answer["status"]] += 1
    assert statuses["verified"] == 0
    assert statuses["failed"] == 2 * len(ACCOUNTS)
    with seeded_db.connect() as connection:
        assert connection.scalars(select(VerifiedSession.id)).all() == []


def test_the_sweep_from_one_client_address_is_refused_after_ten_failures(
    server: str, seeded_db: Engine
) -> None:
    statuses = []
    with _http(server) as http:
        for account in ACCOUNTS[:20]:
            answer = _verify(
                http,
                conversation_id=f"one-address-{account}",
                account_number=account,
                postcode="3000",
                invoice_amount="50.00",
                client_address="203.0.113.9",
            )
            statuses.append(answer["status"])
    assert statuses == ["failed"] * 9 + ["locked"] * 11
    with seeded_db.connect() as connection:
        checked = connection.scalars(
            select(VerificationAttempt.id).where(VerificationAttempt.while_locked.is_(False))
        ).all()
    assert len(checked) == 10


def test_parallel_wrong_answers_are_checked_three_times_per_account(
    server: str, seeded_db: Engine
) -> None:
    targets = ["100001", "100002", "100003", "100004"]
    requests = [(account, n) for account in targets for n in range(PARALLEL)]
    barrier = threading.Barrier(len(requests))

    def attempt(request: tuple[str, int]) -> tuple[str, str]:
        account, n = request
        with _http(server) as http:
            barrier.wait()
            answer = _verify(
                http,
                conversation_id=f"race-{account}-{n}",
                account_number=account,
                date_of_birth="2000-01-01",
            )
        return account, answer["status"]

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(attempt, requests))

    for account in targets:
        statuses = Counter(status for target, status in answers if target == account)
        assert statuses == {"failed": 2, "locked": PARALLEL - 2}, account
    with seeded_db.connect() as connection:
        rows = connection.execute(
            select(VerificationAttempt.account_number, VerificationAttempt.while_locked)
        ).all()
        assert connection.scalars(select(VerifiedSession.id)).all() == []
    for account in targets:
        checked = [row for row in rows if row.account_number == account and not row.while_locked]
        refused = [row for row in rows if row.account_number == account and row.while_locked]
        assert (len(checked), len(refused)) == (3, PARALLEL - 3), account


def test_holding_a_postcode_answers_alike_for_any_account_and_postcode(server: str) -> None:
    with _http(server) as http:
        answers = [
            http.put(
                f"/api/v1/verifications/hold-{n}/postcode",
                json={"account_number": account, "postcode": postcode},
            )
            for n, (account, postcode) in enumerate(
                [("100001", "1000"), ("100001", "9999"), ("999999", "1000")]
            )
        ]
    assert [(a.status_code, a.content) for a in answers] == [(204, b"")] * 3
