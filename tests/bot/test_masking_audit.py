"""Masked contacts, the audit log's rules, and logs without secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.logging import configure_logging
from bot.safety.actors import BOT_ACTOR, agent_actor
from bot.safety.audit import record_audit
from bot.safety.masking import mask_email, mask_phone
from bot.safety.models import AuditEntry

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

NOW = datetime(2026, 11, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("ana.novak@example.com", "a***@example.com"),
        ("x@example.org", "x***@example.org"),
        ("not-an-address", "***"),
    ],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+386 40 001 123", "+386 *** *** 123"),
        ("+386 51 555 987", "+386 *** *** 987"),
        ("040 555 321", "*** *** 321"),
        ("12", "***"),
    ],
)
def test_mask_phone(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


@given(st.from_regex(r"\+386 [0-9]{2} [0-9]{3} [0-9]{3}", fullmatch=True))
def test_masked_phone_shows_only_country_and_last_three(number: str) -> None:
    assert mask_phone(number) == f"+386 *** *** {number[-3:]}"


def test_record_audit_stores_json_safe_details(session: Session) -> None:
    record_audit(
        session,
        actor=BOT_ACTOR,
        action="finding.credited",
        account_id=None,
        conversation_id="conv-1",
        reason="duplicate charge",
        details={"on": date(2026, 10, 1), "amount": Decimal("12.19"), "ids": [1, 2]},
        now=NOW,
    )
    record_audit(
        session,
        actor=agent_actor(7),
        action="dispute.resolved",
        account_id=None,
        conversation_id=None,
        reason="x" * 600,
        details={},
        now=NOW,
    )
    session.commit()
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action) for e in entries] == [
        ("bot", "finding.credited"),
        ("agent:7", "dispute.resolved"),
    ]
    assert entries[0].details == {"on": "2026-10-01", "amount": "12.19", "ids": [1, 2]}
    assert entries[0].created_at == NOW
    assert len(entries[1].reason) == 500


@pytest.mark.parametrize(
    ("actor", "action"),
    [("robot", "finding.credited"), ("agent:", "x.y"), ("bot", "credited"), ("bot", "A.b")],
)
def test_record_audit_refuses_unknown_actors_and_actions(actor: str, action: str) -> None:
    with pytest.raises(ValueError, match="must"):
        record_audit(
            None,  # type: ignore[arg-type]  # refused before the session is used
            actor=actor,
            action=action,
            account_id=None,
            conversation_id=None,
            reason="r",
            details={},
            now=NOW,
        )
    with pytest.raises(ValueError, match="agent id"):
        agent_actor("a b")


@pytest.fixture
def back_end_logging() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "bot"]:
        root.removeHandler(handler)
    logging.setLogRecordFactory(factory)


@pytest.mark.usefixtures("back_end_logging")
@pytest.mark.parametrize("log_format", ["console", "json"])
def test_back_end_logs_carry_no_secret_and_no_conversation_dump(
    log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(log_format)
    logger = logging.getLogger("uvicorn.error")  # a library's logger, not only ours
    logger.error("could not read %s", "card 4628.1948.2199.3511, born 14-Jul-1961")
    logger.warning('payload {"events": [{"event": "user", "text": "my postcode is 7071"}]}')
    try:
        raise ValueError("cvv code 735")
    except ValueError:
        logger.exception("handoff.failed")
    err = capsys.readouterr().err
    assert "could not read card [card number removed], born [date removed]" in err
    assert "[log message removed: it held conversation data]" in err
    assert "handoff.failed" in err
    for leaked in ["4628", "1961", "7071", "735"]:
        assert leaked not in err
