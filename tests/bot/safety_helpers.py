"""Helpers shared by the write-safety tests: contexts, senders, reading a code from the outbox."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.models import Account
from bot.safety.context import WriteContext
from bot.safety.idempotency import IdempotentRequest
from bot.safety.models import OutboxMessage
from bot.safety.step_up import StepUpPolicy
from tests.bot.conftest import STEP_UP_SECRET

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.safety.outbox import Outgoing

POLICY = StepUpPolicy(secret=STEP_UP_SECRET.encode())
_CODE = re.compile(r"\b(\d{6})\b")


class RecordingSender:
    """A sender that keeps what it was given; `accept` says whether delivery 'worked'."""

    def __init__(self, *, accept: bool = False) -> None:
        self.accept = accept
        self.sent: list[Outgoing] = []

    def deliver(self, message: Outgoing) -> bool:
        self.sent.append(message)
        return self.accept


def account(session: Session, number: str) -> Account:
    return session.scalars(select(Account).where(Account.account_number == number)).one()


def context(
    session: Session,
    number: str,
    now: datetime,
    conversation: str = "conv-1",
    key: str | None = None,
    fingerprint: str = "f" * 64,
) -> WriteContext:
    request = None if key is None else IdempotentRequest(key, "POST /test", fingerprint)
    return WriteContext(
        account=account(session, number), conversation_id=conversation, now=now, idempotency=request
    )


def code_in(text: str) -> str:
    match = _CODE.search(text)
    assert match is not None, "no 6-digit code in the message"
    return match.group(1)


def latest_outbox_code(session: Session) -> str:
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message is not None
    return code_in(message.body)


def step_up_now(session: Session, ctx: WriteContext) -> None:
    """Ask for a code by e-mail and answer it, as a customer would."""
    from dataclasses import replace

    from bot.safety import step_up

    ctx = replace(ctx, idempotency=None)
    sender = RecordingSender()
    channels = step_up.list_channels(session, ctx.account, POLICY).channels
    step_up.send_code(session, ctx, channels[0].id, POLICY, sender)
    assert step_up.verify_code(session, ctx, code_in(sender.sent[-1].body), POLICY).status == (
        "verified"
    )
