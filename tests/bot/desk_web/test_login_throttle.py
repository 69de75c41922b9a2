"""Desk login throttling per username and per client address, shared through the database:
two apps on one database (as two back-end processes) see the same failures; concurrent guesses
check at most the allowed number of passwords; X-Forwarded-For counts only from TRUSTED_PROXIES.
Every refusal reads like a wrong password."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from bot.api.app import create_app
from bot.api.desk_auth import client_address
from bot.desk import sessions
from bot.desk.login_throttle import LoginThrottle
from bot.desk.models import LoginFailure
from bot.desk.sessions import LoginRefused
from tests.bot.desk_web.helpers import PASSWORDS, login_csrf

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.settings import Settings
    from tests.bot.conftest import FakeClock


@contextmanager
def app_client(
    settings: Settings, clock: FakeClock, peer: str = "198.51.100.7"
) -> Iterator[TestClient]:
    """One back-end process' worth of app, seen from `peer`."""
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False, client=(peer, 40000)) as client:
        yield client
    app.state.engine.dispose()


def attempt(
    client: TestClient, username: str, password: str, forwarded: str | None = None
) -> httpx.Response:
    client.cookies.clear()
    form = {"username": username, "password": password, "csrf_token": login_csrf(client)}
    headers = {"X-Forwarded-For": forwarded} if forwarded else None
    return client.post("/desk/login", data=form, headers=headers, follow_redirects=False)


def refused_like_a_wrong_password(answer: httpx.Response) -> bool:
    return answer.status_code == 401 and "Wrong username or password" in answer.text


def test_failures_in_one_process_lock_the_username_in_another(
    desk_settings: Settings, clock: FakeClock, seeded_db: Engine
) -> None:
    with app_client(desk_settings, clock) as first, app_client(desk_settings, clock) as second:
        for client in (first, second, first, second, first):
            assert refused_like_a_wrong_password(attempt(client, "maria", "wrong"))
        assert refused_like_a_wrong_password(attempt(second, "maria", PASSWORDS["maria"]))
        assert attempt(first, "tomaz", PASSWORDS["tomaz"]).status_code == 303  # per username
        clock.advance(minutes=15, seconds=1)
        assert attempt(second, "maria", PASSWORDS["maria"]).status_code == 303


def test_twenty_failures_from_one_address_lock_it_for_every_username(
    desk_settings: Settings, clock: FakeClock, seeded_db: Engine
) -> None:
    with (
        app_client(desk_settings, clock, "203.0.113.9") as sprayer,
        app_client(desk_settings, clock, "198.51.100.7") as colleague,
    ):
        for number in range(20):  # a different made-up username each time: 1 failure each
            assert refused_like_a_wrong_password(attempt(sprayer, f"guess{number}", "pw"))
        assert refused_like_a_wrong_password(attempt(sprayer, "sara", PASSWORDS["sara"]))
        assert attempt(colleague, "sara", PASSWORDS["sara"]).status_code == 303
    with Session(seeded_db) as session:  # neither the names tried nor the address are stored
        keys = session.execute(select(LoginFailure.username_key, LoginFailure.address_key)).all()
    assert keys
    assert all(len(k) == 64 and "guess" not in k and "203.0" not in k for row in keys for k in row)


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    desk_settings: Settings, clock: FakeClock, seeded_db: Engine
) -> None:
    behind = desk_settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"})
    with app_client(desk_settings, clock, "203.0.113.9") as direct:
        for number in range(20):  # a spoofed header does not make a new address
            forged = f"192.0.2.{number}"
            assert refused_like_a_wrong_password(attempt(direct, f"g{number}", "pw", forged))
        assert refused_like_a_wrong_password(
            attempt(direct, "sara", PASSWORDS["sara"], "192.0.2.99")
        )
    with app_client(behind, clock, "10.1.2.3") as proxy:
        for number in range(20):  # one client behind the proxy fails 20 times ...
            assert refused_like_a_wrong_password(attempt(proxy, f"h{number}", "pw", "192.0.2.50"))
        blocked = attempt(proxy, "tomaz", PASSWORDS["tomaz"], "192.0.2.50")
        assert refused_like_a_wrong_password(blocked)
        # ... another client behind it is not blocked (the proxy's own address is not the key).
        assert (
            attempt(proxy, "tomaz", PASSWORDS["tomaz"], "192.0.2.51, 10.9.9.9").status_code == 303
        )


def _request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 1), "headers": headers})


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "expected"),
    [
        ("", "203.0.113.9", ("192.0.2.1",), "203.0.113.9"),  # no trusted proxy: the peer
        ("10.0.0.0/8", "203.0.113.9", ("192.0.2.1",), "203.0.113.9"),  # peer not trusted
        ("10.0.0.0/8", "10.0.0.1", ("192.0.2.1",), "192.0.2.1"),
        ("10.0.0.0/8", "10.0.0.1", ("6.6.6.6, 192.0.2.1, 10.0.0.2",), "192.0.2.1"),  # forged left
        ("10.0.0.0/8, 127.0.0.1", "127.0.0.1", ("192.0.2.1", "10.0.0.2"), "192.0.2.1"),
        ("10.0.0.0/8", "10.0.0.1", ("not-an-address",), "10.0.0.1"),
        ("10.0.0.0/8", "10.0.0.1", (), "10.0.0.1"),
        ("10.0.0.0/8", "10.0.0.1", ("10.0.0.3",), "10.0.0.3"),  # only proxies: the farthest
    ],
)
def test_the_client_address(
    desk_settings: Settings, proxies: str, peer: str, forwarded: tuple[str, ...], expected: str
) -> None:
    settings = desk_settings.model_copy(update={"trusted_proxies": proxies})
    assert client_address(_request(peer, *forwarded), settings) == expected


def test_a_bad_trusted_proxies_entry_stops_the_start() -> None:
    from bot.settings import Settings

    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(_env_file=None, trusted_proxies="10.0.0.0/8 proxy.example")  # type: ignore[call-arg]


def test_concurrent_guesses_check_at_most_five_passwords(
    desk_settings: Settings, clock: FakeClock, seeded_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttle = LoginThrottle.from_settings(desk_settings)
    checked: list[str] = []
    real = sessions.authenticate

    def counting(session: Session, username: str, password: str) -> object:
        checked.append(username)
        return real(session, username, password)

    monkeypatch.setattr(sessions, "authenticate", counting)
    guesses = 12
    barrier = threading.Barrier(guesses)
    refused: list[LoginRefused] = []

    def guess(number: int) -> None:
        with Session(seeded_db, expire_on_commit=False) as session:
            barrier.wait()
            try:
                sessions.log_in(
                    session, throttle, "maria", f"guess-{number}", "192.0.2.1", clock(), 480
                )
            except LoginRefused as error:
                refused.append(error)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(refused) == guesses
    assert len(checked) <= throttle.max_per_user  # however the 12 interleaved
    with Session(seeded_db) as session:
        kept = session.scalar(select(func.count()).select_from(LoginFailure))
    assert kept == len(checked)  # a throttled attempt is not kept as a failure
