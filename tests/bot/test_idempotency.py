"""Idempotent writes: replay, conflict, nothing stored for failures, the concurrent-insert race."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from bot.core.errors import IdempotencyConflict
from bot.safety.audit import record_audit
from bot.safety.idempotency import IdempotentRequest, commit_once, fingerprint, replay
from bot.safety.models import AuditEntry, IdempotencyRecord
from tests.bot.conftest import NOW

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session


class Answer(BaseModel):
    id: int
    status: str


REQUEST = IdempotentRequest("key-0001", "POST /api/v1/x", fingerprint("POST", "/x", "c", b"{}"))


def _write(session: Session, n: int) -> None:
    record_audit(
        session,
        actor="bot",
        action="test.written",
        account_id=None,
        conversation_id="c",
        reason=f"write {n}",
        details={},
        now=NOW,
    )


def _audits(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_fingerprint_ignores_json_spacing_and_order_but_not_content() -> None:
    base = fingerprint("POST", "/a", "c1", b'{"x": 1, "y": 2}')
    assert base == fingerprint("post", "/a", "c1", b'{"y":2,"x":1}')
    assert base != fingerprint("POST", "/a", "c1", b'{"x": 1, "y": 3}')
    assert base != fingerprint("POST", "/b", "c1", b'{"x": 1, "y": 2}')
    assert base != fingerprint("POST", "/a", "c2", b'{"x": 1, "y": 2}')
    assert fingerprint("POST", "/a", None, b"") == fingerprint("POST", "/a", "", b"  ")


def test_first_answer_is_stored_and_replayed(session: Session) -> None:
    assert replay(session, REQUEST) is None
    _write(session, 1)
    first = commit_once(session, REQUEST, NOW, 201, Answer(id=1, status="open"))
    assert (first.status_code, first.body, first.replayed) == (
        201,
        {"id": 1, "status": "open"},
        False,
    )
    again = replay(session, REQUEST)
    assert again is not None
    assert (again.status_code, again.body, again.replayed) == (201, first.body, True)
    assert _audits(session) == 1


def test_same_key_for_another_request_is_a_conflict(session: Session) -> None:
    commit_once(session, REQUEST, NOW, 201, Answer(id=1, status="open"))
    other_body = IdempotentRequest(REQUEST.key, REQUEST.route, "0" * 64)
    other_route = IdempotentRequest(REQUEST.key, "POST /api/v1/y", REQUEST.fingerprint)
    for request in (other_body, other_route):
        with pytest.raises(IdempotencyConflict, match="different request"):
            replay(session, request)


def test_without_a_key_the_write_is_just_committed(session: Session) -> None:
    _write(session, 1)
    result = commit_once(session, None, NOW, 200, Answer(id=2, status="done"))
    assert not result.replayed
    assert replay(session, None) is None
    assert _audits(session) == 1
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def test_a_concurrent_request_with_the_same_key_loses_its_write(
    session: Session, empty_engine: Engine
) -> None:
    from sqlalchemy.orm import Session as NewSession

    # Both requests saw no stored answer; the other one commits first.
    assert replay(session, REQUEST) is None
    with NewSession(empty_engine) as other:
        _write(other, 1)
        commit_once(other, REQUEST, NOW, 201, Answer(id=1, status="first"))
    _write(session, 2)
    result = commit_once(session, REQUEST, NOW, 201, Answer(id=2, status="second"))
    assert result.replayed
    assert result.body == {"id": 1, "status": "first"}
    assert _audits(session) == 1  # the second write was rolled back


def test_a_concurrent_request_with_the_same_key_and_another_body_conflicts(
    session: Session, empty_engine: Engine
) -> None:
    from sqlalchemy.orm import Session as NewSession

    with NewSession(empty_engine) as other:
        commit_once(other, REQUEST, NOW, 201, Answer(id=1, status="first"))
    different = IdempotentRequest(REQUEST.key, REQUEST.route, "1" * 64)
    _write(session, 2)
    with pytest.raises(IdempotencyConflict):
        commit_once(session, different, NOW, 201, Answer(id=2, status="second"))
    assert _audits(session) == 0
