"""Agents: scrypt password hashes, authentication, creation rules, the demo agents of `bot seed`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, select

from bot.core.errors import InvalidRequest
from bot.desk.agents import (
    DEMO_AGENTS,
    authenticate,
    create_agent,
    ensure_demo_agents,
    hash_password,
    set_on_duty,
    verify_password,
)
from bot.desk.models import Agent
from bot.desk.types import AgentRole
from tests.bot.conftest import NOW

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session


def test_hash_format_records_its_parameters() -> None:
    stored = hash_password("maria-demo")
    assert re.fullmatch(r"scrypt\$n=16384,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}", stored)
    assert stored != hash_password("maria-demo")  # a random salt each time
    assert "maria-demo" not in stored


def test_verify() -> None:
    stored = hash_password("correct horse")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("", stored)
    assert not verify_password("correct horse", None)  # unknown user: same work, never true
    assert not verify_password("x", "plain text in the column")
    assert not verify_password("x", stored.replace("n=16384", "n=1073741824"))


def test_authenticate(session: Session) -> None:
    maria = create_agent(
        session,
        username=" Maria ",
        password="maria-demo",
        display_name="Maria Novak",
        role=AgentRole.AGENT,
        now=NOW,
    )
    assert (maria.username, maria.on_duty, maria.last_seen_at) == ("maria", False, None)
    assert authenticate(session, "MARIA", "maria-demo") is maria
    assert authenticate(session, "maria", "wrong") is None
    assert authenticate(session, "nobody", "maria-demo") is None
    set_on_duty(session, maria, True, NOW)
    assert (maria.on_duty, maria.last_seen_at) == (True, NOW)


@pytest.mark.parametrize(
    ("username", "password", "problem"),
    [
        ("m", "long enough", "usernames"),
        ("ma ria", "long enough", "usernames"),
        ("maria2", "short", "8"),
    ],
)
def test_create_agent_rules(session: Session, username: str, password: str, problem: str) -> None:
    with pytest.raises(InvalidRequest, match=problem):
        create_agent(
            session,
            username=username,
            password=password,
            display_name="M",
            role=AgentRole.AGENT,
            now=NOW,
        )


def test_a_username_is_taken_once(session: Session) -> None:
    def create(username: str) -> Agent:
        return create_agent(
            session,
            username=username,
            password="long enough",
            display_name="M",
            role=AgentRole.AGENT,
            now=NOW,
        )

    create("maria")
    with pytest.raises(InvalidRequest, match="taken"):
        create("Maria")


def test_demo_agents_are_seeded(seeded_session: Session) -> None:
    for demo in DEMO_AGENTS:
        agent = authenticate(seeded_session, demo.username, demo.password)
        assert agent is not None
        assert (agent.display_name, agent.role) == (demo.display_name, demo.role)
    names = seeded_session.scalars(select(Agent.display_name).order_by(Agent.id)).all()
    assert names[:3] == ["Maria Novak", "Tomaž Kralj", "Sara Horvat"]


def test_demo_agents_are_added_once(empty_engine: Engine) -> None:
    with empty_engine.begin() as connection:
        assert ensure_demo_agents(connection, NOW) == 3
        assert ensure_demo_agents(connection, NOW) == 0
        first = connection.execute(select(Agent.username, Agent.password_hash)).all()
        connection.execute(delete(Agent).where(Agent.username == "tomaz"))
        assert ensure_demo_agents(connection, NOW) == 1
        again = connection.execute(select(Agent.username, Agent.password_hash)).all()
    assert sorted(first) == sorted(again)  # the same rows: demo hashes use a fixed salt
