"""What a verification compares: the date of birth, or the postcode and the latest invoice
total, always with the same work and in constant time; and the keyed hashes it stores."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from bot.billing.models import Account, Customer, Invoice, PostcodeHold

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.billing.schemas import VerificationRequest

# Compared against so unknown accounts cost the same; never equal to anything given.
_NO_SUCH_CUSTOMER = "\x00no-such-customer\x00"
_NOT_GIVEN = "\x00not-given\x00"
_NO_HOLD = "0" * 64  # in place of a held postcode's digest (an HMAC is never all zeros)


def _normalize(text: str) -> str:
    return "".join(text.split()).upper()


def _keyed(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def postcode_digest(secret: bytes, conversation_id: str, account_number: str, postcode: str) -> str:
    return _keyed(secret, "postcode", conversation_id, account_number, _normalize(postcode))


def client_key(secret: bytes, client_address: str | None) -> str | None:
    """A keyed hash of the client address: limits work on it, the address is never stored."""
    if not client_address:
        return None
    return _keyed(secret, "client", client_address.strip().lower())


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def _latest_total(session: Session, account_id: int) -> str:
    """The latest invoice's total in cents, as text (the same query for unknown accounts)."""
    total = session.scalar(
        select(Invoice.total_cents)
        .where(Invoice.account_id == account_id)
        .order_by(Invoice.period_start.desc(), Invoice.id.desc())
        .limit(1)
    )
    return _NO_SUCH_CUSTOMER if total is None else str(total)


def _take_held_digest(session: Session, request: VerificationRequest, now: datetime) -> str:
    """The digest held for this conversation and account (or a stand-in); ends the hold."""
    held = session.scalar(
        select(PostcodeHold.digest).where(
            PostcodeHold.conversation_id == request.conversation_id,
            PostcodeHold.account_number == request.account_number,
            PostcodeHold.expires_at > now,
        )
    )
    session.execute(
        delete(PostcodeHold).where(PostcodeHold.conversation_id == request.conversation_id)
    )
    return held or _NO_HOLD


def factors_match(
    session: Session,
    request: VerificationRequest,
    account: Account | None,
    customer: Customer | None,
    now: datetime,
    secret: bytes,
) -> bool:
    held = _take_held_digest(session, request, now)
    if request.date_of_birth is not None:
        expected = customer.date_of_birth.isoformat() if customer else _NO_SUCH_CUSTOMER
        return _same(expected, request.date_of_birth.isoformat()) and customer is not None
    # The postcode side does the same work whichever part is missing, wrong or unknown.
    conversation, number = request.conversation_id, request.account_number
    on_file = customer.postcode if customer else _NO_SUCH_CUSTOMER
    expected_digest = postcode_digest(secret, conversation, number, on_file)
    given_digest = (
        postcode_digest(secret, conversation, number, request.postcode)
        if request.postcode is not None
        else held
    )
    expected_total = _latest_total(session, account.id if account else -1)
    cents = request.invoice_amount_cents
    given_total = _NOT_GIVEN if cents is None else str(cents)
    postcode_ok = _same(expected_digest, given_digest)
    total_ok = _same(expected_total, given_total)
    return postcode_ok & total_ok & (customer is not None)
