"""Idempotent writes: a retry with the same `Idempotency-Key` gets the first answer again.

A write service uses it in three steps, all in its own session:

    stored = replay(session, ctx.idempotency)      # the earlier answer, or None
    if stored is not None:
        return stored
    ...checks, session.add(...), record_audit(...)  # the write itself, not committed yet
    return commit_once(session, ctx.idempotency, ctx.now, 201, DisputeOut(...))

`commit_once` stores the response next to the write in one transaction, so either both happen
or neither. Two concurrent requests with one key: the second insert of the key fails, its write
is rolled back and it answers with the stored response of the first.

Only successful responses are stored: an error raised before `commit_once` (not verified, step-up
required, not found, invalid) leaves nothing behind, so the same key works once the cause is
fixed. The same key with a different request (route, path, conversation or body) is an
`IdempotencyConflict` (409 `idempotency_conflict`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core.errors import IdempotencyConflict
from bot.safety.models import IdempotencyRecord

if TYPE_CHECKING:
    from datetime import datetime

    from pydantic import BaseModel
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """The key a client sent and what identifies the request it sent with it."""

    key: str
    route: str  # method and route template: "POST /api/v1/accounts/{acct}/disputes"
    fingerprint: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A write's answer: fresh (`replayed=False`) or the stored one of an earlier request."""

    status_code: int
    body: dict[str, Any]
    replayed: bool


def _canonical_body(body: bytes) -> Any:
    """The JSON body parsed (so spacing and key order do not matter), else the raw text."""
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def fingerprint(method: str, path: str, conversation_id: str | None, body: bytes) -> str:
    """sha256 over the method, the concrete path, the conversation and the JSON body."""
    material = json.dumps(
        [method.upper(), path, conversation_id or "", _canonical_body(body)],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _stored(session: Session, request: IdempotentRequest) -> StoredResponse | None:
    record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == request.key))
    if record is None:
        return None
    if record.route != request.route or record.fingerprint != request.fingerprint:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    logger.info("idempotency.replayed", extra={"route": request.route})
    return StoredResponse(record.status_code, dict(record.response_body), replayed=True)


def replay(session: Session, request: IdempotentRequest | None) -> StoredResponse | None:
    """The stored answer to this key (None when the key is new or there is no key).

    Raises IdempotencyConflict when the key was used for a different request.
    """
    return None if request is None else _stored(session, request)


def commit_once(
    session: Session,
    request: IdempotentRequest | None,
    now: datetime,
    status_code: int,
    body: BaseModel,
) -> StoredResponse:
    """Store the answer with the pending write and commit both (without a key: just commit).

    If another request committed the same key first, this write is rolled back and that
    request's answer is returned (or IdempotencyConflict raised if it was a different request).
    """
    content: dict[str, Any] = body.model_dump(mode="json")
    if request is None:
        session.commit()
        return StoredResponse(status_code, content, replayed=False)
    session.add(
        IdempotencyRecord(
            key=request.key,
            route=request.route,
            fingerprint=request.fingerprint,
            status_code=status_code,
            response_body=content,
            created_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        stored = _stored(session, request)
        if stored is None:
            raise  # another constraint of the write itself failed
        return stored
    return StoredResponse(status_code, content, replayed=False)
